"""The container and Kubernetes definitions in deploy/ are checked offline by tools/deploy_check.py
(`make deploy-check`); these tests show that the check passes them and catches what it claims
to catch. No server is started."""

from __future__ import annotations

import copy

from tools.deploy_check import (
    DOCKERFILE,
    check_dockerfile,
    manifests,
    reference_problems,
    schema_problems,
)


def _docs():
    return copy.deepcopy(manifests())


def _workload(docs, name):
    return next(
        doc
        for _, doc in docs
        if doc["kind"] in ("Deployment", "StatefulSet") and doc["metadata"]["name"] == name
    )


def test_the_deploy_definitions_pass_the_offline_check():
    problems, in_image = check_dockerfile()
    docs = _docs()
    assert (
        problems == [] and schema_problems(docs) == [] and reference_problems(docs, in_image) == []
    )
    rasa = _workload(docs, "rasa")
    assert rasa["spec"]["replicas"] == 2
    assert {"models/clinic.tar.gz", "deploy/endpoints.postgres-redis.yml"} <= set(
        rasa["spec"]["template"]["spec"]["containers"][0]["args"]
    )


def test_a_misspelt_field_fails_the_schema_check():
    docs = _docs()
    spec = _workload(docs, "rasa")["spec"]
    spec["replica"] = spec.pop("replicas")
    assert any("replica" in p for p in schema_problems(docs))


def test_the_web_app_given_rasa_s_api_token_fails():
    docs = _docs()
    container = _workload(docs, "web")["spec"]["template"]["spec"]["containers"][0]
    container["env"].append({"name": "RASA_API_TOKEN", "value": "x"})
    _, in_image = check_dockerfile()
    assert any("RASA_API_TOKEN" in p for p in reference_problems(docs, in_image))


def test_a_service_selecting_no_pods_and_a_missing_secret_key_fail():
    docs = _docs()
    service = next(
        doc for _, doc in docs if doc["kind"] == "Service" and doc["metadata"]["name"] == "actions"
    )
    service["spec"]["selector"]["app.kubernetes.io/component"] = "action"
    container = _workload(docs, "actions")["spec"]["template"]["spec"]["containers"][0]
    container["env"][0]["valueFrom"]["secretKeyRef"]["key"] = "CLINIC_DB"
    _, in_image = check_dockerfile()
    problems = reference_problems(docs, in_image)
    assert any("selects no pods" in p for p in problems)
    assert any("CLINIC_DB" in p for p in problems)


def test_a_command_naming_a_missing_module_or_file_fails():
    docs = _docs()
    container = _workload(docs, "rasa")["spec"]["template"]["spec"]["containers"][0]
    container["command"] = ["python", "-m", "serving.rasa_servers"]
    container["args"][container["args"].index("models/clinic.tar.gz")] = "model/clinic.tar.gz"
    _, in_image = check_dockerfile()
    problems = reference_problems(docs, in_image)
    assert any("serving.rasa_servers" in p for p in problems)
    assert any("model/clinic.tar.gz" in p for p in problems)


def test_a_dockerfile_copying_a_missing_or_left_out_file_fails(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "FROM python:3.10-slim AS build\n"
        "COPY no-such-file.txt ./\n"
        "FROM python:3.10-slim\n"
        "COPY --from=builder /app/.venv .venv\n"
        "COPY models/ models/\n"
        'CMD ["python", "-m", "web.app"]\n'
    )
    (tmp_path / "Dockerfile.dockerignore").write_text("models\n")
    problems, _ = check_dockerfile(dockerfile)
    assert any("no-such-file.txt is not in the repository" in p for p in problems)
    assert any("no earlier stage called builder" in p for p in problems)
    assert any("left out" in p for p in problems)
    assert any("no web/app.py" in p for p in problems)


def test_an_image_without_the_stores_the_endpoints_file_names_fails():
    # Rasa would run an in-memory tracker store instead, with only a warning.
    _, in_image = check_dockerfile()
    problems = reference_problems(_docs(), in_image - {"stores"})
    assert any("stores/tracker_store.py" in p for p in problems)
    assert any("stores/lock_store.py" in p for p in problems)


def _dockerfile_variant(tmp_path, old: str, new: str):
    """The real Dockerfile (and its .dockerignore) with `old` replaced by `new`, checked."""
    text = DOCKERFILE.read_text()
    assert old in text, f"the Dockerfile no longer has {old!r}"
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(text.replace(old, new))
    ignore = DOCKERFILE.with_name("Dockerfile.dockerignore")
    (tmp_path / ignore.name).write_text(ignore.read_text())
    problems, _ = check_dockerfile(dockerfile)
    return problems


def test_a_dockerfile_without_a_non_root_user_fails(tmp_path):
    user_line = next(
        line for line in DOCKERFILE.read_text().splitlines() if line.startswith("USER ")
    )
    assert any("run as root" in p for p in _dockerfile_variant(tmp_path, user_line, ""))
    for root in ("USER root", "USER 0:0"):
        assert any("run as root" in p for p in _dockerfile_variant(tmp_path, user_line, root))
    # By name, the user useradd made: as good as its uid.
    assert _dockerfile_variant(tmp_path, user_line, "USER clinic") == []


def test_a_folder_the_processes_write_that_is_not_theirs_fails(tmp_path):
    install = next(
        line
        for line in DOCKERFILE.read_text().splitlines()
        if " var" in line and line.startswith("RUN install")
    )
    problems = _dockerfile_variant(tmp_path, install, "RUN mkdir var")
    assert any("/app/var, which the processes write, is not owned" in p for p in problems)
    # Given away with COPY --chown instead: as good.
    problems = _dockerfile_variant(tmp_path, install, "COPY --chown=clinic:clinic data/ var/")
    assert not any("/app/var" in p for p in problems), problems


def test_an_image_without_a_component_of_the_model_fails(tmp_path):
    # Loading the model imports every custom component of config.yml.
    problems = _dockerfile_variant(
        tmp_path,
        "COPY nlp/ nlp/\nCOPY serving/",
        "COPY nlp/__init__.py nlp/components.py nlp/\nCOPY serving/",
    )
    assert any("nlp/minilm.py" in p for p in problems)
    assert any("nlp/intent_classifier.py" in p for p in problems)
