'use strict';
// The guard at the edge, per stage, from project.yml's `edge`: API Gateway's default route
// throttling on the HTTP API stage, and the function's reserved concurrency where a stage sets
// one. Where none is set, the throttle is the guard, and the function's checkov suppression
// says so (docs/operations.md says when to reserve).
// Hand-written because osls has no setting for an HTTP API stage's throttling, and a stage's
// values are looked up by its role in project.yml's `stages` (qa, production, default, and
// the rehearsal's), which serverless.yml's variables cannot do.
const { loadProject, roleOf } = require('./project');

function settingsFor(project, stage) {
  const edge = project.edge || {};
  const role = roleOf(project.stages || {}, stage);
  const settings = { ...(edge.default || {}), ...(edge[role] || {}) };
  const where = `project.yml edge.${edge[role] ? role : 'default'}`;
  for (const key of ['rate', 'burst']) {
    if (!Number.isFinite(settings[key]) || settings[key] <= 0) {
      throw new Error(`${where}.${key} must be a positive number (requests per second, or a burst), not '${settings[key]}'`);
    }
  }
  if (!Number.isInteger(settings.burst)) {
    throw new Error(`${where}.burst must be a whole number of requests, not '${settings.burst}'`);
  }
  const reserved = settings.reservedConcurrency;
  if (reserved !== undefined && reserved !== null && (!Number.isInteger(reserved) || reserved < 1)) {
    throw new Error(`${where}.reservedConcurrency must be a whole number of at least 1, or left out, not '${reserved}'`);
  }
  return settings;
}

class Edge {
  constructor(serverless) {
    this.hooks = {
      // After serverless.yml's resources.extensions are merged in, so that the function's
      // checkov suppressions there are added to, not replaced.
      'after:aws:package:finalize:mergeCustomProviderResources': () => {
        const project = loadProject(serverless.config.servicePath);
        const settings = settingsFor(project, serverless.service.provider.stage);
        const resources = serverless.service.provider.compiledCloudFormationTemplate.Resources;
        for (const resource of Object.values(resources)) {
          if (resource.Type === 'AWS::ApiGatewayV2::Stage') {
            Object.assign(resource.Properties.DefaultRouteSettings, {
              ThrottlingRateLimit: settings.rate,
              ThrottlingBurstLimit: settings.burst,
            });
          }
          if (resource.Type === 'AWS::Lambda::Function') {
            if (settings.reservedConcurrency) {
              resource.Properties.ReservedConcurrentExecutions = settings.reservedConcurrency;
            } else {
              resource.Metadata = resource.Metadata || {};
              resource.Metadata.checkov = resource.Metadata.checkov || {};
              resource.Metadata.checkov.skip = resource.Metadata.checkov.skip || [];
              resource.Metadata.checkov.skip.push({
                id: 'CKV_AWS_115',
                comment:
                  "No reserved concurrency on this stage (project.yml edge): the HTTP API stage's throttle is its guard. " +
                  'AWS refuses a reservation that leaves fewer than 10 unreserved executions (docs/operations.md).',
              });
            }
          }
        }
      },
    };
  }
}

module.exports = Edge;
module.exports.settingsFor = settingsFor;
