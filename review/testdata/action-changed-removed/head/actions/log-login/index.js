const logger = require('actions:logger');
exports.onExecutePostLogin = async (event, api) => {
  await logger.sendLog('login', event.user.user_id);
  api.idToken.setCustomClaim('https://example.com/logged', true);
};
