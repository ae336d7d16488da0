"""The deploy commands of docs/deploy.md, run verbatim against moto (server mode).

Every ``scripts/sam_build.sh`` and ``.venv/bin/sam`` line of the page's ``sh`` blocks is read
from the page itself, so the page and this test cannot drift. In a copy of the project (its own
samconfig.toml, ``.venv`` linked to this interpreter's), each runs as a shell command, with AWS
pointed at moto (``AWS_ENDPOINT_URL``) and dummy credentials: the build, then ``sam deploy``
for the default and the prod config env, ``sam deploy --guided`` (every question answered with
its default) and ``sam delete``. Each deploy stops at "Deploy this changeset? [y/N]", answered
``n``: the change set is created, never executed, which is where moto stops being AWS (it
skips ``AWS::Serverless::*`` resources, so executing would prove nothing more).

Where moto differs, the test bridges it and says so here:

* ``resolve_s3`` gets its bucket from SAM's managed stack ``aws-sam-cli-managed-default``.
  Created by SAM through a change set, moto's copy lacks the stack outputs and SAM refuses it,
  so the test creates that stack itself, from SAM's own template, with ``CreateStack``; SAM
  then finds it and uploads to its bucket as in AWS.
* moto reads a change set's ``TemplateURL`` from its S3 only when the URL names ``localhost``,
  hence ``AWS_ENDPOINT_URL=http://localhost:PORT`` (the server listens on 127.0.0.1).
* moto does not keep a change set's capabilities: CloudFormation calls go through a recording
  proxy (tests/integration/cfn_recorder.py) and the test reads what SAM asked for.

``sam local invoke`` and ``sam local start-api`` need Docker: their lines are checked (the
function, the event and the environment file exist), not run.

One build serves every command (module fixture). It uses its own SAM cache under
``~/.cache/linkcheck/deploy-docs`` and a project copy at a path that stays the same between
runs (SAM's cache is keyed by the source path), so a rerun only copies the source.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from linkcheck.local.resources import REPO_ROOT, load_template
from tests.integration.cfn_recorder import CloudFormationRecorder

pytestmark = [
    pytest.mark.slow,
    # The module's fixture runs the build and every documented deploy and delete (about two
    # minutes on 2 cores), all inside the first test's setup: past the suite's 120 s default.
    pytest.mark.timeout(600),
    # SAM's managed stack has a bucket policy moto's CloudFormation skips; the bucket is made.
    pytest.mark.filterwarnings("ignore:Tried to parse AWS..S3..BucketPolicy:UserWarning"),
]

DOC = REPO_ROOT / "docs" / "deploy.md"
BUILD_DIR = ".aws-sam/build"
# What the build leaves out of every function's artifact (scripts/sam_build.sh; SAM's pip
# builder skips the last two itself).
NOT_IN_ARTIFACTS = ("linkcheck/local", "linkcheck/commands", "linkcheck/cli.py", "requirements.txt")
NEVER_ANYWHERE = ("__pycache__", ".egg-info")
# What a user types at each command's prompts: no to the change set; Enter (the default) to
# every --guided question, the change set's included; yes to sam delete's confirmations.
ANSWERS = {"deploy": "n\n", "guided": "\n" * 80, "delete": "y\n" * 4}
REGION = "us-east-1"


# ---------------------------------------------------------------- the page's commands


def documented_commands() -> list[str]:
    """Command lines of the page's ``sh`` blocks, comments stripped, first occurrence only."""
    commands: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```", DOC.read_text(), flags=re.M | re.S):
        for line in block.splitlines():
            command = re.split(r"(?:^|\s+)#", line, maxsplit=1)[0].strip()
            if command and command not in commands:
                commands.append(command)
    return commands


def _sam(commands: list[str], verb: str) -> list[str]:
    return [c for c in commands if c.startswith(f".venv/bin/sam {verb}")]


def test_the_page_documents_build_deploy_and_removal() -> None:
    commands = documented_commands()
    assert f"scripts/sam_build.sh {BUILD_DIR}" in commands
    assert set(_sam(commands, "deploy")) == {
        ".venv/bin/sam deploy --guided",
        ".venv/bin/sam deploy",
        ".venv/bin/sam deploy --config-env prod",
    }
    assert set(_sam(commands, "delete")) == {
        ".venv/bin/sam delete",
        ".venv/bin/sam delete --config-env prod",
    }
    # No --template-file: SAM would then read samconfig.toml next to the built template.
    assert not [c for c in commands if "--template-file" in c or "--config-file" in c]
    known = ("deploy", "delete", "local invoke", "local start-api")
    assert not [
        c
        for c in commands
        if c.startswith(".venv/bin/sam")
        and not any(c.startswith(f".venv/bin/sam {k}") for k in known)
    ]


def test_the_local_commands_name_real_functions_events_and_environment() -> None:
    template = load_template()
    functions = {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    local = _sam(documented_commands(), "local")
    assert any(c.startswith(".venv/bin/sam local invoke") for c in local)
    assert any(c.startswith(".venv/bin/sam local start-api") for c in local)
    for command in local:
        words = shlex.split(command)
        for i, word in enumerate(words):
            if word in ("-e", "--event"):
                assert (REPO_ROOT / words[i + 1]).is_file(), command
            if word == "--env-vars":
                _check_env_vars_file(REPO_ROOT / words[i + 1], template, functions)
        if words[2] == "invoke":
            assert [w for w in words[3:] if w in functions], command


def _check_env_vars_file(
    path: Path, template: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    """Keys are function logical ids (or "Parameters": every function); names must be declared.

    SAM silently ignores a name the template does not declare for that function, and passes ""
    for a variable set from a resource (``!Ref Table``): each of those needs a value here.
    """
    values: dict[str, dict[str, str]] = json.loads(path.read_text())
    assert set(values) <= {"Parameters", *functions}, path
    shared = template["Globals"]["Function"]["Environment"]["Variables"]
    for name, function in functions.items():
        declared = shared | function["Properties"].get("Environment", {}).get("Variables", {})
        given = {**values.get("Parameters", {}), **values.get(name, {})}
        assert set(values.get(name, {})) <= set(declared), name
        assert set(values.get("Parameters", {})) <= set(declared), name
        from_resources = {
            var
            for var, value in declared.items()
            if isinstance(value, dict) and value.get("Ref") in template["Resources"]
        }
        assert from_resources <= set(given), (name, from_resources - set(given))


# ---------------------------------------------------------------- running them against moto


@dataclass
class Deployment:
    project: Path
    cache: Path
    recorder: CloudFormationRecorder
    endpoint: str
    runs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def change_sets(self, stack: str) -> list[dict[str, str]]:
        return [c for c in self.recorder.calls("CreateChangeSet") if c["StackName"] == stack]


def _copy_project(project: Path) -> None:
    """The files the commands read, plus what a used checkout has (bytecode, egg-info)."""
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    for name in ("template.yaml", "samconfig.toml"):
        shutil.copy2(REPO_ROOT / name, project / name)
    for name in ("scripts", "functions"):
        shutil.copytree(REPO_ROOT / name, project / name)
    (project / ".venv").symlink_to(Path(sys.prefix))
    egg = project / "functions" / "linkcheck.egg-info"
    egg.mkdir(exist_ok=True)
    (egg / "PKG-INFO").write_text("Name: linkcheck\n")
    pycache = project / "functions" / "linkcheck" / "__pycache__"
    pycache.mkdir(exist_ok=True)
    (pycache / "settings.cpython-313.pyc").write_bytes(b"\0" * 16)


def _create_sam_managed_stack(deployment: Deployment) -> None:
    from samcli.lib.bootstrap.bootstrap import _get_stack_template

    cfn = deployment.client("cloudformation")
    name = "aws-sam-cli-managed-default"
    stacks = cfn.list_stacks()["StackSummaries"]
    if any(s["StackName"] == name and s["StackStatus"] == "CREATE_COMPLETE" for s in stacks):
        return
    cfn.create_stack(
        StackName=name,
        TemplateBody=_get_stack_template(),
        Tags=[{"Key": "ManagedStackSource", "Value": "AwsSamCli"}],
        Capabilities=["CAPABILITY_IAM"],
    )


def _sam_app_dir(workdir: Path) -> Path:
    """SAM's own settings: its weekly new-version check (a call to PyPI) counts as done."""
    app = workdir / "sam-app"
    app.mkdir(parents=True, exist_ok=True)
    settings = {"lastVersionCheck": time.time(), "telemetryEnabled": False}
    (app / "metadata.json").write_text(json.dumps(settings))
    return app


def _run(deployment: Deployment, command: str, env: dict[str, str], answers: str | None) -> None:
    run = subprocess.run(
        command,
        shell=True,
        cwd=deployment.project,
        env=env,
        input=answers,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    deployment.runs[command] = run
    assert run.returncode == 0, f"{command}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"


def _order(commands: list[str]) -> list[tuple[str, str | None]]:
    """Build first, the deploys (--guided last: it rewrites samconfig.toml), then deletes."""
    build = [(c, None) for c in commands if c.startswith("scripts/sam_build.sh")]
    plain = [(c, ANSWERS["deploy"]) for c in _sam(commands, "deploy") if "--guided" not in c]
    guided = [(c, ANSWERS["guided"]) for c in _sam(commands, "deploy") if "--guided" in c]
    deletes = [(c, ANSWERS["delete"]) for c in _sam(commands, "delete")]
    return build + plain + guided + deletes


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    from moto.server import ThreadedMotoServer

    if not (Path(sys.prefix) / "bin" / "sam").exists():
        pytest.fail(f"the SAM CLI is not installed in {sys.prefix}: run scripts/setup.sh")
    home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "linkcheck"
    workdir = home / "deploy-docs" / hashlib.sha256(str(REPO_ROOT).encode()).hexdigest()[:12]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    recorder = CloudFormationRecorder(f"http://127.0.0.1:{port}")
    recorder.start()
    deployment = Deployment(
        project=workdir / "project",
        cache=workdir / "sam",
        recorder=recorder,
        endpoint=f"http://127.0.0.1:{port}",
    )
    try:
        _copy_project(deployment.project)
        _create_sam_managed_stack(deployment)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
        env.update(
            AWS_ENDPOINT_URL=f"http://localhost:{port}",
            AWS_ENDPOINT_URL_CLOUDFORMATION=recorder.endpoint,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION=REGION,
            AWS_CONFIG_FILE=str(workdir / "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(workdir / "no-aws-credentials"),
            SAM_CLI_TELEMETRY="0",
            LINKCHECK_SAM_CACHE=str(deployment.cache),
            __SAM_CLI_APP_DIR=str(_sam_app_dir(workdir)),
        )
        for command, answers in _order(documented_commands()):
            _run(deployment, command, env, answers)
        yield deployment
    finally:
        recorder.stop()
        server.stop()


def _samconfig(env: str) -> dict[str, Any]:
    config = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text())
    return {**config[env]["global"]["parameters"], **config[env]["deploy"]["parameters"]}


def _overrides(text: str) -> dict[str, str]:
    return dict(word.split("=", 1) for word in shlex.split(text))


def _members(fields: dict[str, str], name: str) -> list[str]:
    return [v for k, v in sorted(fields.items()) if re.fullmatch(rf"{name}\.member\.\d+", k)]


def _parameters(fields: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in fields.items():
        match = re.fullmatch(r"Parameters\.member\.(\d+)\.ParameterKey", key)
        if match:
            found[value] = fields.get(f"Parameters.member.{match[1]}.ParameterValue", "")
    return found


def _tags(fields: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in fields.items():
        match = re.fullmatch(r"Tags\.member\.(\d+)\.Key", key)
        if match:
            found[value] = fields[f"Tags.member.{match[1]}.Value"]
    return found


def test_the_build_lands_in_the_documented_directory(deployment: Deployment) -> None:
    built = deployment.project / BUILD_DIR
    assert (built / "template.yaml").is_file()
    assert (
        "Built template: " + str(built / "template.yaml")
        in deployment.runs[f"scripts/sam_build.sh {BUILD_DIR}"].stdout
    )
    # Not in SAM's working directory (the cache), where a relative path once resolved.
    assert not (deployment.cache / BUILD_DIR).exists()


def test_artifacts_carry_only_what_runs_in_lambda(deployment: Deployment) -> None:
    built = deployment.project / BUILD_DIR
    functions = sorted(p for p in built.iterdir() if p.is_dir())
    assert [p.name for p in functions] == sorted(
        n
        for n, r in load_template()["Resources"].items()
        if r["Type"] == "AWS::Serverless::Function"
    )
    for function in functions:
        assert (function / "linkcheck" / "handlers" / "api.py").is_file()
        assert (function / "linkcheck" / "devmode.py").is_file()  # the engine imports it
        # The api function serves the dashboard from its package data.
        assert (function / "linkcheck" / "dashboard" / "static" / "index.html").is_file()
        for path in NOT_IN_ARTIFACTS:
            assert not (function / path).exists(), (function.name, path)
        names = [str(p.relative_to(function)) for p in function.rglob("*")]
        assert not [n for n in names if any(part in n for part in NEVER_ANYWHERE)], function.name


@pytest.mark.parametrize(
    ("command", "env"),
    [(".venv/bin/sam deploy", "default"), (".venv/bin/sam deploy --config-env prod", "prod")],
)
def test_each_config_env_deploys_its_stack_with_samconfig(
    deployment: Deployment, command: str, env: str
) -> None:
    config = _samconfig(env)
    output = deployment.runs[command].stdout
    assert "Deploy this changeset? [y/N]" in output
    first = deployment.change_sets(config["stack_name"])[0]
    assert first["ChangeSetType"] == "CREATE"
    assert _members(first, "Capabilities") == [config["capabilities"]]
    assert _parameters(first) == _overrides(config["parameter_overrides"])
    assert _tags(first) == _overrides(config["tags"])
    # Created and shown, not executed: the prompt was answered no.
    assert "Changeset created successfully" in output


def test_packaging_uploads_the_artifacts_to_the_managed_bucket(deployment: Deployment) -> None:
    s3 = deployment.client("s3")
    fields = deployment.change_sets("linkcheck-dev")[0]
    bucket, key = fields["TemplateURL"].split("://", 1)[1].split("/", 2)[1:]
    assert bucket.startswith("aws-sam-cli-managed-default-samclisourcebucket")
    assert key.startswith(_samconfig("default")["s3_prefix"] + "/")
    packaged = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    code = set(re.findall(r"CodeUri: (s3://\S+)", packaged))
    assert code, packaged[:500]
    for uri in code:
        code_bucket, code_key = uri.removeprefix("s3://").split("/", 1)
        assert code_bucket == bucket
        archive = zipfile.ZipFile(
            io.BytesIO(s3.get_object(Bucket=bucket, Key=code_key)["Body"].read())
        )
        names = archive.namelist()
        assert "linkcheck/handlers/worker.py" in names
        assert not [n for n in names if n.startswith(NOT_IN_ARTIFACTS)]
        assert not [n for n in names if any(part in n for part in NEVER_ANYWHERE)]


def test_guided_asks_every_parameter_and_saves_the_answers(deployment: Deployment) -> None:
    output = deployment.runs[".venv/bin/sam deploy --guided"].stdout
    parameters = load_template()["Parameters"]
    for name in parameters:
        assert f"Parameter {name}" in output
    assert "Saved arguments to config file" in output
    saved = tomllib.loads((deployment.project / "samconfig.toml").read_text())
    assert saved["default"]["deploy"]["parameters"]["region"] == REGION
    last = deployment.change_sets("linkcheck-dev")[-1]
    assert set(_parameters(last)) == set(parameters)
    assert _parameters(last)["LogRetentionDays"] == "14"  # samconfig's answer, kept


def test_sam_delete_removes_each_stack(deployment: Deployment) -> None:
    cfn = deployment.client("cloudformation")
    for env in ("default", "prod"):
        name = _samconfig(env)["stack_name"]
        live = [
            s
            for s in cfn.list_stacks()["StackSummaries"]
            if s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE"
        ]
        assert live == [], name
