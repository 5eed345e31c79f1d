"""The operations files say what the README promises. `make lint-ops` checks them
against the Kubernetes and Compose schemas; these tests check what matters here."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from victim_api.platform.keys import KeyPurpose
from victim_api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


@pytest.fixture(scope="module")
def manifests() -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in _documents(path):
            assert {"apiVersion", "kind", "metadata"} <= doc.keys(), path.name
            found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def _pod(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def _hardened(pod: dict[str, Any]) -> None:
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["automountServiceAccountToken"] is False
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= container["resources"][kind].keys(), kind
        # The only writable place: /tmp (the metrics directory lives there).
        assert "/tmp" in [m["mountPath"] for m in container["volumeMounts"]]


def test_every_manifest_parses_and_the_expected_objects_exist(manifests: dict) -> None:
    assert set(manifests) >= {
        ("ConfigMap", "victim-api"),
        ("Secret", "victim-api-env"),
        ("Deployment", "victim-api"),
        ("Service", "victim-api"),
        ("HorizontalPodAutoscaler", "victim-api"),
        ("PodDisruptionBudget", "victim-api"),
        ("Job", "victim-api-migrate"),
    }
    assert manifests[("HorizontalPodAutoscaler", "victim-api")]["apiVersion"] == "autoscaling/v2"


def test_the_deployment_probes_the_health_endpoints(manifests: dict) -> None:
    (container,) = _pod(manifests[("Deployment", "victim-api")])["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["port"] in ports, probe


def test_the_deployment_and_the_job_are_hardened(manifests: dict) -> None:
    _hardened(_pod(manifests[("Deployment", "victim-api")]))
    _hardened(_pod(manifests[("Job", "victim-api-migrate")]))


def test_the_migration_job_migrates_with_the_same_image_and_settings(manifests: dict) -> None:
    (api,) = _pod(manifests[("Deployment", "victim-api")])["containers"]
    job = manifests[("Job", "victim-api-migrate")]
    (migrate,) = _pod(job)["containers"]
    assert migrate["command"] == ["victim-api", "migrate"]
    assert migrate["image"] == api["image"]
    assert migrate["envFrom"] == api["envFrom"]
    assert _pod(job)["restartPolicy"] == "Never"


def test_settings_come_from_the_configmap_and_secrets_that_exist(manifests: dict) -> None:
    (container,) = _pod(manifests[("Deployment", "victim-api")])["containers"]
    sources = {
        ("ConfigMap" if "configMapRef" in s else "Secret", next(iter(s.values()))["name"])
        for s in container["envFrom"]
    }
    assert sources == {("ConfigMap", "victim-api"), ("Secret", "victim-api-env")}
    secret = manifests[("Secret", "victim-api-env")]["stringData"]
    for purpose in KeyPurpose:  # production refuses to start without both keys
        assert f"VICTIM_API_{purpose}_SIGNING_KEY" in secret


def _gunicorn_env_names() -> set[str]:
    text = (ROOT / "deploy" / "gunicorn.conf.py").read_text(encoding="utf-8")
    return set(re.findall(r'"(VICTIM_API_[A-Z_]+)"', text))


def test_every_configured_variable_is_read_by_someone(manifests: dict) -> None:
    """A misspelt name would be silently ignored (settings ignore unknown names)."""
    known = (
        {f"VICTIM_API_{name.upper()}" for name in Settings.model_fields}
        | {f"VICTIM_API_{purpose}_SIGNING_KEY" for purpose in KeyPurpose}
        | _gunicorn_env_names()
    )
    config = manifests[("ConfigMap", "victim-api")]["data"]
    secret = manifests[("Secret", "victim-api-env")]["stringData"]
    assert set(config) | set(secret) <= known, (set(config) | set(secret)) - known
    assert config["VICTIM_API_ENV"] == "production"


def test_the_secret_template_holds_only_placeholders_the_service_refuses(manifests: dict) -> None:
    for key, value in manifests[("Secret", "victim-api-env")]["stringData"].items():
        assert "changeme" in value, key
        if key.endswith("_SIGNING_KEY"):
            assert "PLACEHOLDER-NOT-A-KEY" in value, key
    pepper = manifests[("Secret", "victim-api-env")]["stringData"]["VICTIM_API_SECRET_PEPPER"]
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(env="production", secret_pepper=pepper)


def test_selectors_match_the_pods(manifests: dict) -> None:
    deployment = manifests[("Deployment", "victim-api")]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    service = manifests[("Service", "victim-api")]
    assert service["spec"]["selector"].items() <= labels.items()
    (container,) = _pod(deployment)["containers"]
    assert service["spec"]["ports"][0]["targetPort"] in {p["name"] for p in container["ports"]}
    pdb = manifests[("PodDisruptionBudget", "victim-api")]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    hpa = manifests[("HorizontalPodAutoscaler", "victim-api")]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "victim-api",
    }
    assert hpa["spec"]["minReplicas"] >= 2


def test_kustomization_lists_the_long_lived_objects_only() -> None:
    (kustomization,) = _documents(K8S / "kustomization.yaml")
    resources = kustomization["resources"]
    assert all((K8S / name).is_file() for name in resources)
    assert "secret.template.yaml" not in resources
    assert "migration-job.yaml" not in resources


def test_shutdown_fits_in_the_grace_period(manifests: dict, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    config = manifests[("ConfigMap", "victim-api")]["data"]
    for name, value in config.items():
        monkeypatch.setenv(name, value)
    gunicorn = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    pod = _pod(manifests[("Deployment", "victim-api")])
    pre_stop = 5  # the preStop pause in deployment.yaml
    assert pod["terminationGracePeriodSeconds"] > gunicorn["graceful_timeout"] + pre_stop


def test_gunicorn_settings_come_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    monkeypatch.setenv("VICTIM_API_WORKERS", "3")
    monkeypatch.setenv("VICTIM_API_BIND", "0.0.0.0:9000")
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["workers"] == 3
    assert conf["bind"] == "0.0.0.0:9000"
    assert conf["accesslog"] is None
    assert conf["graceful_timeout"] > 0
    from uvicorn_worker import UvicornWorker

    assert issubclass(conf["worker_class"], UvicornWorker)
    assert conf["worker_class"].CONFIG_KWARGS["server_header"] is False
    conf["on_starting"](None)
    assert (tmp_path / "metrics").is_dir()


def test_compose_migrates_before_serving_on_postgresql_15() -> None:
    (compose,) = _documents(ROOT / "deploy" / "docker-compose.yml")
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:15")
    assert services["migrate"]["command"] == ["victim-api", "migrate"]
    depends = services["api"]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["api"]["read_only"] is True


def test_the_dockerfile_runs_gunicorn_as_a_non_root_user_without_dev_deps() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.MULTILINE)
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users
    assert users[-1].split(":")[0] not in {"0", "root"}
    assert "--constraint constraints.txt" in text
    assert "[dev]" not in text
    cmd = re.findall(r"^CMD (.+)$", text, re.MULTILINE)[-1]
    assert '"gunicorn"' in cmd
    assert "gunicorn.conf.py" in cmd
    assert "create_app_from_environment()" in cmd
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    # Everything is left out of the build context unless listed.
    assert "*" in ignored
    assert {"!src/", "!deploy/gunicorn.conf.py", "!constraints.txt"} <= set(ignored)
