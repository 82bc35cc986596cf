exports.onExecutePostLogin = async (event, api) => {
  if (event.user.blocked) {
    api.access.deny('blocked');
  }
};
