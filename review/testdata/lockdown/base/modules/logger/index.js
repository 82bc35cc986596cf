exports.log = () => {};
