const m = require('actions:tsmod');
exports.onExecutePostLogin = async () => {};
