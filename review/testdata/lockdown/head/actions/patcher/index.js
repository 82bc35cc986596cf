'use strict';
const logger = require('actions:logger');

Array.prototype.lastItem = function () { return this[this.length - 1]; };

exports.onExecutePostLogin = async () => {};
