"""Checks the container and Kubernetes definitions in deploy/, offline (`make deploy-check`).

Nothing in the tests runs them (there is no container runtime or Kubernetes here), so what can
be checked without one is checked here:
- every document of deploy/k8s/*.yaml against the Kubernetes JSON schemas that ship inside the
  `kubernetes-validate` package, strictly (an unknown or misspelt field fails);
- that the manifests agree with each other and with the repository: Services select pods that
  exist, every ConfigMap and Secret key referred to exists, the Rasa servers get every
  ${VARIABLE} of deploy/endpoints.postgres-redis.yml, the web app gets neither Rasa's API token
  nor the action server's secret, and each command of the image names a module and files the
  image has, the store modules that endpoints file names included;
- deploy/container/Dockerfile: every COPY source exists and is not left out of the build
  context, every `COPY --from` names an earlier stage, every `python -m` names a module; the
  image runs as a user other than root, and that user owns the folders the processes write;
  the image has the module of every custom component of config.yml (Rasa imports them when
  it loads the model, and a missing one stops the server).

Network connections are refused for the whole run, so a check that passes here passes offline.
"""

from __future__ import annotations

import importlib.util
import json
import posixpath
import re
import shlex
import socket
import sys
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

from tools.processes import ROOT

K8S_VERSION = "1.28"  # the newest schemas the pinned kubernetes-validate ships
K8S_DIR = ROOT / "deploy" / "k8s"
DOCKERFILE = ROOT / "deploy" / "container" / "Dockerfile"
ENDPOINTS = ROOT / "deploy" / "endpoints.postgres-redis.yml"
CONFIG = ROOT / "config.yml"
IMAGE = "clinic-assistant"
# Where the processes write, relative to the image's working directory: the SQLite databases
# and the web app's session key, when no database URL or WEB_SECRET_KEY is given.
WRITTEN = ("var",)
ROOT_USERS = {"root", "0"}
# The web app forwards chat only: these are other processes' secrets (as in tools/stack.py).
NOT_FOR_WEB = {"RASA_API_TOKEN", "ACTION_SERVER_TOKEN"}
PATH_ARGUMENT = re.compile(r"[\w.-]+(/[\w.-]+)*\.(ya?ml|gz|py|json)")


def _refuse(*args: object, **kwargs: object) -> None:
    raise OSError("deploy-check must work offline, and it tried to open a network connection")


def module_file(name: str) -> str | None:
    """The repository file of module `name` (relative), or None if it is not ours."""
    for candidate in (f"{name.replace('.', '/')}.py", f"{name.replace('.', '/')}/__main__.py"):
        if (ROOT / candidate).is_file():
            return candidate
    return None


def python_modules(argv: list[str]) -> Iterator[str]:
    """The X of every `python -m X` in a command line."""
    for i in range(1, len(argv) - 1):
        if argv[i] == "-m" and Path(argv[i - 1]).name.startswith("python"):
            yield argv[i + 1]


def store_modules(endpoints: Path = ENDPOINTS) -> list[str]:
    """The modules of the stores the endpoints file names by class (stores.lock_store.X). Rasa
    imports them when it starts, and a tracker store it cannot import becomes an in-memory one
    with only a warning: conversations would be answered and never stored."""
    settings = yaml.safe_load(endpoints.read_text()) or {}
    kinds = [str((settings.get(s) or {}).get("type", "")) for s in ("tracker_store", "lock_store")]
    return [kind.rsplit(".", 1)[0] for kind in kinds if "." in kind]


def component_modules(config: Path = CONFIG) -> list[str]:
    """The modules of config.yml's own components (nlp.minilm.MiniLMFeaturizer): loading the
    model imports each, so the image that serves it needs them all."""
    settings = yaml.safe_load(config.read_text()) or {}
    names = [
        str(c.get("name", "")) for k in ("pipeline", "policies") for c in settings.get(k) or []
    ]
    return sorted({name.rsplit(".", 1)[0] for name in names if "." in name})


def missing_from_image(argv: list[str], in_image: set[str], where: str) -> list[str]:
    """What a command of the image needs (its module, the files it names) but the image lacks."""
    has = lambda path: any(t in (".", path) or path.startswith(t + "/") for t in in_image)  # noqa: E731
    problems = []
    for module in python_modules(argv):
        path = module_file(module)
        top = module.split(".")[0]
        ours = (ROOT / top).is_dir() or (ROOT / f"{top}.py").is_file()
        # Another package's module (pip, rasa) is looked up by its package only: importing
        # the package to find the module would load all of Rasa.
        if path is None and (ours or importlib.util.find_spec(top) is None):
            problems.append(f"{where}: runs module {module}, which does not exist")
        elif path is not None and not has(path):
            problems.append(f"{where}: runs {module}, but the image has no {path}")
    for arg in argv:
        if PATH_ARGUMENT.fullmatch(arg) and not has(arg):
            problems.append(f"{where}: names {arg}, which the image does not have")
    return problems


# --- Dockerfile ------------------------------------------------------------------------------


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
        for line in joined.splitlines()
        if len(line.split(None, 1)) == 2
    ]


def shell_commands(script: str) -> Iterator[list[str]]:
    """The simple commands of a RUN line (split at &&, || and ;)."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    command: list[str] = []
    for token in lexer:
        if token in ("&&", "||", ";", "|"):
            if command:
                yield command
            command = []
        else:
            command.append(token)
    if command:
        yield command


# The long options of install and useradd that take a value.
LONG_WITH_VALUE = {"--uid", "--gid", "--owner", "--group", "--mode", "--shell", "--home-dir"}


def _options(words: list[str], with_value: str) -> tuple[dict[str, str], list[str]]:
    """({option: value}, operands) of a command's arguments; `with_value`: the short options
    that take a value (install -o clinic, useradd -u 10001). Long options take theirs with =
    or as the next word."""
    options: dict[str, str] = {}
    operands: list[str] = []
    it = iter(words)
    for word in it:
        if word.startswith("--"):
            name, _, value = word.partition("=")
            options[name] = value or (next(it, "") if name in LONG_WITH_VALUE else "")
        elif word.startswith("-") and len(word) > 1:
            flag = word[1:2]
            options["-" + flag] = (word[2:] or next(it, "")) if flag in with_value else ""
        else:
            operands.append(word)
    return options, operands


def given_away(command: list[str], workdir: str) -> dict[str, str]:
    """{absolute path: owner} of what a `chown OWNER PATH...` or an
    `install -d -o OWNER PATH...` gives to another owner."""

    def absolute(path: str) -> str:
        return posixpath.normpath(posixpath.join(workdir, path))

    if not command:
        return {}
    if command[0] == "chown":
        _, operands = _options(command[1:], "")
        if len(operands) >= 2:
            return {absolute(p): operands[0].split(":")[0] for p in operands[1:]}
    if command[0] == "install":
        options, operands = _options(command[1:], "ogmt")
        owner = options.get("-o") or options.get("--owner")
        if owner and ("-d" in options or "--directory" in options):
            return {absolute(p): owner for p in operands}
    return {}


def user_ids(command: list[str]) -> dict[str, str]:
    """{name: uid} of a `useradd --uid UID NAME`."""
    if command and command[0] in ("useradd", "adduser"):
        options, operands = _options(command[1:], "ugGdsc")
        uid = options.get("-u") or options.get("--uid")
        if uid and operands:
            return {operands[-1]: uid}
    return {}


def check_dockerfile(dockerfile: Path = DOCKERFILE) -> tuple[list[str], set[str]]:
    """Problems, and the paths the final image has (its last stage's COPY destinations)."""
    ignore_file = dockerfile.with_name(dockerfile.name + ".dockerignore")
    ignored = [
        line.strip().removeprefix("**/")
        for line in (ignore_file.read_text().splitlines() if ignore_file.exists() else [])
        if line.strip() and not line.startswith("#")
    ]

    def left_out(path: str) -> bool:
        parts = Path(path).parts
        return any(fnmatch("/".join(parts[: i + 1]), p) for p in ignored for i in range(len(parts)))

    problems: list[str] = []
    stages: list[str] = []
    in_image: set[str] = set()
    # Of the stage being read: who runs its commands, where, and who owns what was given away.
    user, workdir = "", "/"
    owners: dict[str, str] = {}
    uids: dict[str, str] = {}
    for instruction, args in instructions(dockerfile.read_text()):
        where = f"{dockerfile.name}: {instruction} {args[:60]}"
        if instruction == "FROM":
            words = args.split()
            stages.append(words[2] if len(words) > 2 and words[1].upper() == "AS" else "")
            in_image = set()
            user, workdir, owners, uids = "", "/", {}, {}
        elif instruction == "USER":
            user = args.split(":")[0].strip()
        elif instruction == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, args.strip()))
        elif instruction == "COPY":
            words = shlex.split(args)
            stage = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
            chown = next((w.split("=", 1)[1] for w in words if w.startswith("--chown=")), None)
            *sources, destination = [w for w in words if not w.startswith("--")]
            if stage is not None and stage not in stages[:-1]:
                problems.append(f"{where}: no earlier stage called {stage}")
            for source in sources:
                is_dir = source.endswith("/")
                if stage is None:
                    if not list(ROOT.glob(source.rstrip("/"))):
                        problems.append(f"{where}: {source} is not in the repository")
                    elif left_out(source.rstrip("/")):
                        problems.append(f"{where}: {source} is left out by {ignore_file.name}")
                    is_dir = is_dir or (ROOT / source).is_dir()
                # Docker: a folder's contents go into the destination; a file into dest/name.
                target = destination
                if destination.endswith("/") and not is_dir:
                    target = destination + Path(source).name
                in_image.add(target.removeprefix("./").rstrip("/") or ".")
                if chown:
                    owner = chown.split(":")[0]
                    owners[posixpath.normpath(posixpath.join(workdir, target))] = owner
        elif instruction in ("RUN", "CMD", "ENTRYPOINT"):
            argv = json.loads(args) if args.startswith("[") else shlex.split(args)
            if instruction == "RUN":  # built in the image: only that the module exists
                problems += missing_from_image(argv, {"."}, where)
                for command in shell_commands(" ".join(argv) if args.startswith("[") else args):
                    owners.update(given_away(command, workdir))
                    uids.update(user_ids(command))
            else:
                problems += missing_from_image(argv, in_image, where)
    problems += user_problems(dockerfile.name, user, workdir, owners, uids)
    if "models" in in_image:  # it serves the model trained from config.yml
        for module in component_modules():
            what = f"{dockerfile.name}: {CONFIG.name} (loading the model imports it)"
            problems += missing_from_image(["python", "-m", module], in_image, what)
    return problems, in_image


def user_problems(
    name: str, user: str, workdir: str, owners: dict[str, str], uids: dict[str, str]
) -> list[str]:
    """The final image's processes must not run as root, and must own what they write."""
    if not user:
        return [f"{name}: no USER in the final stage, so the processes run as root"]
    if user in ROOT_USERS:
        return [f"{name}: USER {user}: the processes run as root"]
    problems = []
    same = {user, uids.get(user, user)} | {n for n, uid in uids.items() if uid == user}
    for folder in WRITTEN:
        path = posixpath.normpath(posixpath.join(workdir, folder))
        if owners.get(path) not in same:
            problems.append(
                f"{name}: {path}, which the processes write, is not owned by USER {user} "
                f"(owner: {owners.get(path) or 'root'})"
            )
    return problems


# --- Kubernetes --------------------------------------------------------------------------------


def manifests(folder: Path = K8S_DIR) -> list[tuple[str, dict[str, Any]]]:
    """(where, document) for every document of every manifest in `folder`."""
    return [
        (f"{path.name} #{i + 1}", doc)
        for path in sorted(folder.glob("*.yaml"))
        for i, doc in enumerate(yaml.safe_load_all(path.read_text()))
        if doc
    ]


def schema_problems(docs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    import kubernetes_validate

    problems = []
    for where, doc in docs:
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            problems.append(f"{where} ({doc.get('kind')}): {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            problems.append(f"{where}: {error.message}")
    return problems


def pod_templates(docs: list[tuple[str, dict[str, Any]]]) -> Iterator[tuple[str, dict, dict]]:
    """(where, the workload, its pod template) for every Deployment and StatefulSet."""
    for where, doc in docs:
        if doc.get("kind") in ("Deployment", "StatefulSet"):
            yield where, doc, doc["spec"]["template"]


def reference_problems(docs: list[tuple[str, dict[str, Any]]], in_image: set[str]) -> list[str]:
    problems = []
    data = {
        (doc["kind"], doc["metadata"]["name"]): {**doc.get("data", {}), **doc.get("stringData", {})}
        for _, doc in docs
        if doc.get("kind") in ("ConfigMap", "Secret")
    }
    labels = [t["metadata"].get("labels", {}) for _, _, t in pod_templates(docs)]
    for where, doc in docs:
        selector = doc.get("spec", {}).get("selector") if doc.get("kind") == "Service" else None
        if selector and not any(selector.items() <= pod.items() for pod in labels):
            problems.append(f"{where}: Service {doc['metadata']['name']} selects no pods")
    # The ${VARIABLES} Rasa expands, outside comments.
    wanted = set(re.findall(r"\$\{(\w+)\}", re.sub(r"#.*", "", ENDPOINTS.read_text())))
    for where, workload, template in pod_templates(docs):
        for container in template["spec"]["containers"]:
            env: set[str] = set()
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef") or source.get("secretRef")
                kind = "ConfigMap" if "configMapRef" in source else "Secret"
                if (kind, ref["name"]) not in data:
                    problems.append(f"{where}: envFrom names no {kind} {ref['name']}")
                env |= set(data.get((kind, ref["name"]), {}))
            for var in container.get("env", []):
                env.add(var["name"])
                for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                    ref = var.get("valueFrom", {}).get(key)
                    if ref and ref["key"] not in data.get((kind, ref["name"]), {}):
                        problems.append(f"{where}: {var['name']} from missing {kind} key {ref}")
            name = workload["metadata"]["name"]
            if name == "web" and env & NOT_FOR_WEB:
                problems.append(f"{where}: the web app is given {sorted(env & NOT_FOR_WEB)}")
            if name == "rasa" and wanted - env:
                problems.append(f"{where}: Rasa lacks {sorted(wanted - env)} for {ENDPOINTS.name}")
            if container["image"].split(":")[0].rsplit("/", 1)[-1] == IMAGE:
                argv = container.get("command", []) + container.get("args", [])
                problems += missing_from_image(argv, in_image, f"{where} ({name})")
                if ENDPOINTS.relative_to(ROOT).as_posix() in argv:
                    for module in store_modules():
                        store = ["python", "-m", module]  # imported by Rasa, checked alike
                        what = f"{where} ({name}, a store of {ENDPOINTS.name})"
                        problems += missing_from_image(store, in_image, what)
    return problems


def main() -> int:
    socket.socket.connect = _refuse  # type: ignore[method-assign]
    socket.create_connection = _refuse  # type: ignore[assignment]
    dockerfile_problems, in_image = check_dockerfile()
    docs = manifests()
    problems = dockerfile_problems + schema_problems(docs) + reference_problems(docs, in_image)
    for problem in problems:
        print(f"    {problem}", file=sys.stderr)
    if problems:
        print(f"deploy-check: {len(problems)} problems", file=sys.stderr)
        return 1
    print(
        f"    {DOCKERFILE.relative_to(ROOT)} and {len(docs)} Kubernetes objects in "
        f"{K8S_DIR.relative_to(ROOT)} are valid (schemas of Kubernetes {K8S_VERSION})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
