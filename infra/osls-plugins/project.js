'use strict';
// project.yml, as the osls side reads it: the one reader in JavaScript (the ops code's is
// ops/project.py), for the plugin and the DNS layer, which need more of it than
// serverless.yml's ${file(./project.yml):key} variables can give.
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

module.exports.loadProject = (servicePath) => yaml.load(fs.readFileSync(path.join(servicePath, 'project.yml'), 'utf8'));

// The role of `stage` in project.yml's `stages` (a rehearsal stage plays its counterpart's); a
// stage no role names takes the default's settings. ops/project.py resolves the other way, a
// role to its stage; infra/tests/test_consistency.py holds the two to each other.
module.exports.roleOf = (stages, stage) => {
  for (const [role, name] of Object.entries(stages)) {
    if (name === stage) return role;
    if (typeof name === 'object') {
      const counterpart = Object.entries(name).find(([, rehearsed]) => rehearsed === stage);
      if (counterpart) return counterpart[0];
    }
  }
  return 'default';
};

// Whether `stage` is a branch's preview (project.yml `previews`, docs/previews.md): named with
// its prefix by ops/previews/naming.py, the one place a preview is named.
module.exports.isPreview = (project, stage) =>
  Boolean(project.previews) && stage.startsWith(`${project.previews.prefix}-`);
