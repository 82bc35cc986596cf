// The quickstart action: log through the logger module, then set the roles claim.
const logger = require('actions:logger');
exports.onExecutePostLogin = async (event, api) => {
  await logger.sendLog('logger_success', 'Your Action was able to use the Logger Action Module');
  api.idToken.setCustomClaim('https://example.com/roles', event.authorization?.roles ?? []);
};
