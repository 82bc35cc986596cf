const send = require('./lib/send');
exports.sendLog = send;
