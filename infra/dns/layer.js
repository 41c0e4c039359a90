'use strict';
// Adds infra/dns/layer.yml to a stage's template when project.yml gives that stage a domain
// (domains.<stage>.name and .hostedZoneId), and nothing otherwise, so a stage without a domain
// packages exactly as before. serverless.yml includes it as "${file(./infra/dns/layer.js)}";
// osls calls the function below with its variable resolver.
// Hand-written because osls has no conditional include, and a CloudFormation Condition would
// still leave the resources in every template.
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const { loadProject } = require('../osls-plugins/project');

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

function layerFor(project, stage) {
  const domain = (project.domains || {})[stage];
  if (!domain) return {};
  const where = `project.yml domains.${stage}`;
  if (!DOMAIN.test(String(domain.name))) {
    throw new Error(`${where}.name must be a lower-case host name such as api.example.com, not '${domain.name}'`);
  }
  if (!HOSTED_ZONE_ID.test(String(domain.hostedZoneId))) {
    throw new Error(`${where}.hostedZoneId must be a Route 53 hosted zone id such as Z0123456789ABC, not '${domain.hostedZoneId}'`);
  }
  const text = fs
    .readFileSync(path.join(__dirname, 'layer.yml'), 'utf8')
    .replaceAll('__DOMAIN_NAME__', domain.name)
    .replaceAll('__HOSTED_ZONE_ID__', domain.hostedZoneId)
    .replaceAll('__SET_IDENTIFIER__', `${project.service}-${stage}-\${AWS::Region}`)
    .replaceAll('__HEALTH_PATH__', project.health_path);
  return yaml.load(text);
}

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const project = loadProject(path.join(__dirname, '..', '..'));
  return layerFor(project, stage);
};
module.exports.layerFor = layerFor;
