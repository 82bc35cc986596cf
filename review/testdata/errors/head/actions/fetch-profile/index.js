const _ = require('lodash');
exports.onExecutePostLogin = async (event, api) => {};
