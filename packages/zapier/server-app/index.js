// Zapier's CommonJS entry point of the "via tokpipe server" app: a second integration (one authentication
// per app version), built from the same package. Run the Zapier CLI in this folder for that app.
module.exports = require('../dist/server.js');
