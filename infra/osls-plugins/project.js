'use strict';
// project.yml, as the osls side reads it: the one reader in JavaScript (the ops code's is
// ops/project.py), for the plugin and the DNS layer, which need more of it than
// serverless.yml's ${file(./project.yml):key} variables can give.
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

module.exports.loadProject = (servicePath) => yaml.load(fs.readFileSync(path.join(servicePath, 'project.yml'), 'utf8'));
