#!/usr/bin/env python3
"""Checks what a schema cannot: the manifests in deploy/k8s agree with each other and with the apps.

- every Deployment's selector matches its pod labels; every Service and PodDisruptionBudget selects
  the pods of a Deployment, and a Service's targetPort names a container port;
- probes: liveness on /health/live, readiness on /health/ready, on a named container port whose
  number is the app's port from the ConfigMap, and those routes exist in the app's health controller;
- consumer replicas <= the activity topic's partitions;
- autoscaling: the API's HorizontalPodAutoscaler and the consumer's KEDA ScaledObject (Kafka
  scaler; no schema is bundled for it, so its fields are checked here) target existing Deployments,
  maxReplicaCount <= partitions, the trigger's group, topic and brokers are the apps' own, its
  TriggerAuthentication's secret keys exist; replication factor 3 comes with min.insync.replicas 2;
- every ConfigMap key and Secret key is a variable the apps read; every referenced key exists.
Usage: k8s-structure.py <repo root>
"""
import re
import sys
from pathlib import Path

import yaml

APPS = {'producer-api': 'PRODUCER_API_PORT', 'consumer': 'CONSUMER_PORT'}
errors = []


def fail(where, message):
    errors.append(f'{where}: {message}')


def load(root):
    docs = []
    for path in sorted((root / 'deploy' / 'k8s').glob('*.yaml')):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get('kind') != 'Kustomization':
                docs.append((path.name, doc))
    return docs


# Read by Node.js and glibc when the process starts, not by the apps' code
# (scripts/runtime/app-node-options.ts).
NODE_RUNTIME_VARIABLES = {'NODE_OPTIONS', 'MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_'}


def known_variables(root):
    text = (root / '.env.example').read_text()
    for path in list((root / 'apps').rglob('*.ts')) + list((root / 'libs').rglob('*.ts')):
        text += path.read_text()
    return text


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_probes(where, app, container, config, root):
    ports = {p.get('name'): p['containerPort'] for p in container.get('ports', [])}
    expected_port = int(config.get(APPS[app], -1))
    controller = (root / 'apps' / app / 'src' / 'health' / 'health.controller.ts').read_text()
    for probe, path in (('livenessProbe', '/health/live'), ('readinessProbe', '/health/ready')):
        get = (container.get(probe) or {}).get('httpGet')
        if not get:
            fail(where, f'{probe} missing or not an httpGet probe')
            continue
        if get.get('path') != path:
            fail(where, f'{probe} path is {get.get("path")}, expected {path}')
        port = ports.get(get.get('port'), get.get('port'))
        if port != expected_port:
            fail(where, f'{probe} port {get.get("port")} is not {APPS[app]}={expected_port}')
        route = path.rsplit('/', 1)[1]
        if "@Controller('health')" not in controller or not re.search(rf"@Get\(\[?'{route}'", controller):
            fail(where, f'{path} is not served by apps/{app}/src/health/health.controller.ts')
    if 'resources' not in container or 'limits' not in container['resources']:
        fail(where, 'container has no resource requests/limits')


def check_env_refs(where, container, configmaps, secrets):
    for source in container.get('envFrom', []):
        name = (source.get('configMapRef') or source.get('secretRef') or {}).get('name')
        if name not in configmaps and name not in secrets:
            fail(where, f'envFrom refers to missing {name}')
    for env in container.get('env', []):
        ref = (env.get('valueFrom') or {}).get('secretKeyRef')
        if ref and ref['key'] not in secrets.get(ref['name'], {}):
            fail(where, f'env {env["name"]} refers to missing secret key {ref["name"]}/{ref["key"]}')


def check_autoscaling(by_kind, config, secrets, deployments):
    partitions = int(config.get('KAFKA_TOPIC_ACTIVITY_PARTITIONS', 3))
    scaled = set()
    auths = {d['metadata']['name']: d.get('spec', {}) for _, d in by_kind('TriggerAuthentication')}
    for name, doc in by_kind('ScaledObject'):
        where = f'{name} ScaledObject/{doc["metadata"]["name"]}'
        spec = doc.get('spec', {})
        target = (spec.get('scaleTargetRef') or {}).get('name')
        if target not in deployments:
            fail(where, f'scaleTargetRef {target} is not a Deployment')
        scaled.add(target)
        low, high = spec.get('minReplicaCount', 0), spec.get('maxReplicaCount', 100)
        if not 1 <= low <= high:
            fail(where, f'needs 1 <= minReplicaCount ({low}) <= maxReplicaCount ({high})')
        if target == 'consumer' and high > partitions:
            fail(where, f'maxReplicaCount {high} > {partitions} partitions (extra consumers sit idle)')
        kafka = [t for t in spec.get('triggers', []) if t.get('type') == 'kafka']
        if not kafka:
            fail(where, 'no kafka trigger')
        for trigger in kafka:
            meta = trigger.get('metadata', {})
            expected = {
                'consumerGroup': config.get('KAFKA_GROUP_ID', 'user-activity-processor'),
                'topic': config.get('KAFKA_TOPIC_PREFIX', '') + 'user-activity-logs',
                'bootstrapServers': config.get('KAFKA_BROKERS'),
            }
            for key, value in expected.items():
                if meta.get(key) != value:
                    fail(where, f'kafka trigger {key} is {meta.get(key)}, the apps use {value}')
            if not str(meta.get('lagThreshold', '')).isdigit():
                fail(where, 'kafka trigger without a numeric lagThreshold')
            auth = (trigger.get('authenticationRef') or {}).get('name')
            if config.get('KAFKA_SASL_MECHANISM') and auth not in auths:
                fail(where, f'authenticationRef {auth} is not a TriggerAuthentication (the brokers need SASL)')
            for ref in auths.get(auth, {}).get('secretTargetRef', []):
                if ref['key'] not in secrets.get(ref['name'], {}):
                    fail(where, f'TriggerAuthentication refers to missing secret key {ref["name"]}/{ref["key"]}')
    for name, doc in by_kind('Deployment'):
        app = doc['metadata']['name']
        high = next((d['spec'].get('maxReplicaCount', 100) for _, d in by_kind('ScaledObject')
                     if (d['spec'].get('scaleTargetRef') or {}).get('name') == app), None)
        if high is not None and doc['spec'].get('replicas', 1) > high:
            fail(f'{name} Deployment/{app}', f'replicas above its ScaledObject maxReplicaCount {high}')
    for name, doc in by_kind('HorizontalPodAutoscaler'):
        where = f'{name} HorizontalPodAutoscaler/{doc["metadata"]["name"]}'
        spec = doc['spec']
        target = spec['scaleTargetRef'].get('name')
        if target not in deployments:
            fail(where, f'scaleTargetRef {target} is not a Deployment')
        if target in scaled:
            fail(where, f'{target} is scaled by a ScaledObject too (KEDA makes its own HPA)')
        if spec.get('minReplicas', 1) > spec['maxReplicas']:
            fail(where, 'minReplicas > maxReplicas')
        if target == 'producer-api' and not any(
            (m.get('resource') or {}).get('name') == 'cpu' for m in spec.get('metrics', [])
        ):
            fail(where, 'the API scales on CPU: no cpu metric')
    if 'consumer' not in scaled:
        fail('deploy/k8s', 'no ScaledObject for the consumer (scaling on lag)')
    if not any(d['spec']['scaleTargetRef'].get('name') == 'producer-api' for _, d in by_kind('HorizontalPodAutoscaler')):
        fail('deploy/k8s', 'no HorizontalPodAutoscaler for producer-api')


def check_replication(config):
    rf = int(config.get('KAFKA_REPLICATION_FACTOR', 1))
    min_isr = int(config.get('KAFKA_MIN_INSYNC_REPLICAS', 2 if rf >= 3 else 1))
    if rf < 3:
        fail('configuration', f'KAFKA_REPLICATION_FACTOR {rf}: production needs 3')
    elif not 2 <= min_isr < rf:
        fail('configuration', f'KAFKA_MIN_INSYNC_REPLICAS {min_isr}: needs 2 <= it < {rf} (acks=all on 2 replicas, one broker may be away)')


def main(root):
    docs = load(root)
    for name, doc in docs:
        for field in ('apiVersion', 'kind', 'metadata'):
            if field not in doc:
                fail(name, f'document without {field}')
    by_kind = lambda kind: [(n, d) for n, d in docs if d.get('kind') == kind]
    configmaps = {d['metadata']['name']: d.get('data', {}) for _, d in by_kind('ConfigMap')}
    secrets = {d['metadata']['name']: d.get('stringData', d.get('data', {})) for _, d in by_kind('Secret')}
    config = configmaps.get('eyego-config', {})
    variables = known_variables(root)
    for key in list(config) + [k for s in secrets.values() for k in s]:
        if key not in NODE_RUNTIME_VARIABLES and not re.search(rf'\b{key}\b', variables):
            fail('configuration', f'{key} is not a variable the apps read')

    pod_labels = {}
    for name, dep in by_kind('Deployment'):
        app = dep['metadata']['name']
        where = f'{name} Deployment/{app}'
        labels = dep['spec']['template']['metadata'].get('labels', {})
        pod_labels[app] = labels
        if not selects(dep['spec']['selector'].get('matchLabels'), labels):
            fail(where, 'selector does not match the pod template labels')
        if app not in APPS:
            fail(where, 'unknown app')
            continue
        container = dep['spec']['template']['spec']['containers'][0]
        check_probes(where, app, container, config, root)
        check_env_refs(where, container, configmaps, secrets)
        if app == 'consumer':
            partitions = int(config.get('KAFKA_TOPIC_ACTIVITY_PARTITIONS', 3))
            if dep['spec'].get('replicas', 1) > partitions:
                fail(where, f'replicas {dep["spec"]["replicas"]} > {partitions} partitions')
    for app in APPS:
        if app not in pod_labels:
            fail('deploy/k8s', f'no Deployment for {app}')

    for kind in ('Service', 'PodDisruptionBudget'):
        for name, doc in by_kind(kind):
            where = f'{name} {kind}/{doc["metadata"]["name"]}'
            spec = doc['spec']
            selector = spec['selector'] if kind == 'Service' else spec['selector'].get('matchLabels')
            targets = [a for a, labels in pod_labels.items() if selects(selector, labels)]
            if len(targets) != 1:
                fail(where, f'selects the pods of {len(targets)} Deployments, expected 1')
    if not by_kind('PodDisruptionBudget'):
        fail('deploy/k8s', 'no PodDisruptionBudget')

    check_autoscaling(by_kind, config, secrets, set(pod_labels))
    check_replication(config)

    for message in errors:
        print(f'k8s: {message}', file=sys.stderr)
    if not errors:
        print(f'k8s: {len(docs)} resources consistent (selectors, probes, ports, replicas, autoscaling, replication, config keys)')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else '.')))
