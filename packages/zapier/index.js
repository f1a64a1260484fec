// Zapier's CommonJS entry point (zapierwrapper.js requires ./index.js); the app is compiled to dist/.
module.exports = require('./dist/index.js');
