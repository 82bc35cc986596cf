const logger = require('actions:logger');

/**
 * Handler that will be called during the execution of a PostLogin flow.
 *
 * @param {PostLoginEvent} event - Details about the user and the context in which they are logging in.
 * @param {PostLoginAPI} api - Interface whose methods can be used to change the behavior of the login.
 */
exports.onExecutePostLogin = async (event, api) => {
  await logger.sendLog('login', `user ${event.user.user_id} logged in`);
  api.idToken.setCustomClaim('https://example.com/roles', event.authorization?.roles ?? []);
};
