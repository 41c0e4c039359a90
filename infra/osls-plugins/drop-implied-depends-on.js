'use strict';
// osls gives every HTTP API route a DependsOn on the integration its Target already Refs.
// cfn-lint flags that (W3005) and moto's CloudFormation refuses any cfn-lint finding. Removing
// it here, after osls compiles the routes, keeps the template lint-clean for any route a fork
// adds or renames, where a per-route override in serverless.yml would go stale.
// Hand-written: no published plugin does this one thing.
class DropImpliedDependsOn {
  constructor(serverless) {
    this.hooks = {
      'after:package:compileEvents': () => {
        const resources = serverless.service.provider.compiledCloudFormationTemplate.Resources;
        for (const resource of Object.values(resources)) {
          if (resource.Type !== 'AWS::ApiGatewayV2::Route' || typeof resource.DependsOn !== 'string') continue;
          if (JSON.stringify(resource.Properties).includes(JSON.stringify({ Ref: resource.DependsOn }))) {
            delete resource.DependsOn;
          }
        }
      },
    };
  }
}

module.exports = DropImpliedDependsOn;
