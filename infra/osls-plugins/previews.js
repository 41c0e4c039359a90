'use strict';
// A branch's preview stage (project.yml `previews`, docs/previews.md) costs little while idle
// and can be found again to be removed:
// - packaged without the stage's dashboard ($3 a month each) and, unless previews.alarms is
//   true, without its alarms. A preview has no canary (infra/canary.yml names the stages that
//   release through CodeDeploy) and no domain (project.yml names the stages that have one);
// - deployed with its branch in the stack tag previews.tag, which `make reap` selects by.
//   The branch comes as `--param=branch=<branch>`, which `make preview` gives; a preview
//   deployed without it is refused, as a stack no reap could find.
// Hand-written: osls leaves no resource out per stage, and its stack tags are the same for
// every stage.
const { loadProject, isPreview } = require('./project');

const DROPPED_ALWAYS = ['AWS::CloudWatch::Dashboard'];
const DROPPED_WITHOUT_ALARMS = ['AWS::CloudWatch::Alarm'];

function mentions(value, logicalId) {
  const text = JSON.stringify(value || {});
  return (
    text.includes(JSON.stringify({ Ref: logicalId })) ||
    text.includes(`{"Fn::GetAtt":["${logicalId}",`) ||
    text.includes(`\${${logicalId}}`) ||
    text.includes(`\${${logicalId}.`)
  );
}

// An IAM role's statements keep the resources a preview still has; a statement left with none
// goes (the canary's role may read the alarms, on a stage with no alarm and no canary), and a
// policy left with no statement.
function pruneStatements(resource, dropped) {
  const properties = resource.Properties || {};
  for (const policy of properties.Policies || []) {
    const document = policy.PolicyDocument;
    document.Statement = document.Statement.map((statement) => ({
      ...statement,
      Resource: [].concat(statement.Resource).filter((named) => !dropped.some((id) => mentions(named, id))),
    })).filter((statement) => statement.Resource.length > 0);
  }
  if (properties.Policies) {
    properties.Policies = properties.Policies.filter((policy) => policy.PolicyDocument.Statement.length > 0);
  }
}

function dropCostlyResources(template, keepAlarms) {
  const types = keepAlarms ? DROPPED_ALWAYS : [...DROPPED_ALWAYS, ...DROPPED_WITHOUT_ALARMS];
  const dropped = Object.keys(template.Resources).filter((id) => types.includes(template.Resources[id].Type));
  for (const id of dropped) delete template.Resources[id];
  for (const [name, output] of Object.entries(template.Outputs || {})) {
    if (dropped.some((id) => mentions(output, id))) delete template.Outputs[name];
  }
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type === 'AWS::IAM::Role') pruneStatements(resource, dropped);
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    const still = dropped.find((gone) => mentions(resource, gone));
    if (still) {
      throw new Error(`a preview leaves ${still} out, and ${id} still refers to it (infra/osls-plugins/previews.js)`);
    }
  }
}

function branchParam(options) {
  const given = [].concat(options.param || []).find((param) => param.startsWith('branch='));
  return given && given.slice('branch='.length);
}

class Previews {
  constructor(serverless, options) {
    const preview = () => {
      const project = loadProject(serverless.config.servicePath);
      return isPreview(project, serverless.service.provider.stage) ? project.previews : null;
    };
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => {
        const settings = preview();
        if (settings) {
          dropCostlyResources(serverless.service.provider.compiledCloudFormationTemplate, settings.alarms === true);
        }
      },
      'before:deploy:deploy': () => {
        const settings = preview();
        if (!settings) return;
        const branch = branchParam(options);
        if (!branch) {
          throw new Error(
            `${serverless.service.provider.stage} is a branch preview: deploy it with \`make preview BRANCH=<branch>\`, ` +
              'which tags its stack with the branch so that `make reap` can find it'
          );
        }
        serverless.service.provider.stackTags = {
          ...(serverless.service.provider.stackTags || {}),
          [settings.tag]: branch,
        };
      },
    };
  }
}

module.exports = Previews;
