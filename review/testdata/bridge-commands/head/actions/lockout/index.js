// Rejects a locked account's attempts.
exports.onExecutePostCredentialValidation = async (event, api) => {
  if (event.user.app_metadata?.locked) {
    api.access.deny('locked', 'This account is locked.');
  }
};
