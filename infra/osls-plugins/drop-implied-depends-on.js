'use strict';
// osls gives some resources a DependsOn on a resource their properties already Ref or GetAtt:
// every HTTP API route on its integration, the HTTP API stage on its access log group. cfn-lint
// flags that (W3005) and moto's CloudFormation refuses any cfn-lint finding. Removing it here,
// after osls compiles the events, keeps the template lint-clean for any route a fork adds or
// renames, where a per-resource override in serverless.yml would go stale.
// Hand-written: no published plugin does this one thing.
function references(properties, logicalId) {
  const text = JSON.stringify(properties || {});
  return text.includes(JSON.stringify({ Ref: logicalId })) || text.includes(`{"Fn::GetAtt":["${logicalId}",`);
}

class DropImpliedDependsOn {
  constructor(serverless) {
    this.hooks = {
      'after:package:compileEvents': () => {
        const resources = serverless.service.provider.compiledCloudFormationTemplate.Resources;
        for (const resource of Object.values(resources)) {
          if (typeof resource.DependsOn === 'string' && references(resource.Properties, resource.DependsOn)) {
            delete resource.DependsOn;
          }
        }
      },
    };
  }
}

module.exports = DropImpliedDependsOn;
