// n8n loads the nodes and credentials listed in package.json's "n8n" block;
// this entry point exists for tools that require the package itself.
module.exports = {};
