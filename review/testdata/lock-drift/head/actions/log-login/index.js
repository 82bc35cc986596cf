const logger = require('actions:logger');
exports.onExecutePostLogin = async (event, api) => {
  await logger.sendLog('login', event.user.user_id);
};
