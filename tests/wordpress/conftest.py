"""Fixtures of the WordPress plugin tests, and PHPUnit tests collected as pytest items."""

from __future__ import annotations

import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.wordpress.wp_harness import PHP_TESTS, WordPress, start_wordpress


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if (
        file_path.suffix == ".php"
        and file_path.name.endswith("Test.php")
        and file_path.parent == PHP_TESTS
    ):
        return PhpUnitFile.from_parent(parent, path=file_path)
    return None


class PhpUnitFile(pytest.File):
    """Runs one PHPUnit test file once and turns each of its test cases into an item."""

    def collect(self) -> Iterator[pytest.Item]:
        with tempfile.TemporaryDirectory() as tmp:
            junit = Path(tmp) / "junit.xml"
            run = subprocess.run(
                [
                    "phpunit",
                    "-c",
                    str(PHP_TESTS / "phpunit.xml"),
                    "--log-junit",
                    str(junit),
                    str(self.path),
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            cases = _junit_cases(junit) if junit.exists() else []
        for name, problem in cases:
            yield PhpUnitCase.from_parent(self, name=name, problem=problem)
        if run.returncode != 0 or not cases:
            yield PhpUnitCase.from_parent(
                self,
                name="phpunit-exit-status",
                problem=f"phpunit exited with {run.returncode}\n{run.stdout}\n{run.stderr}",
            )


def _junit_cases(junit: Path) -> list[tuple[str, str | None]]:
    """(test name, failure text or None) for every test case in a JUnit report."""
    root = ET.parse(junit).getroot()  # noqa: S314 - our own phpunit's report
    cases = []
    for case in root.iter("testcase"):
        problems = [
            child for child in case if child.tag in {"failure", "error", "warning", "skipped"}
        ]
        text = "\n".join(f"{p.tag}: {p.get('type', '')}\n{p.text or ''}" for p in problems)
        cases.append((case.get("name", "?"), text or None))
    return cases


class PhpUnitCase(pytest.Item):
    """One PHPUnit test case; its outcome was recorded when the file ran."""

    def __init__(self, *, problem: str | None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.problem = problem

    def runtest(self) -> None:
        if self.problem:
            raise PhpUnitFailure(self.problem)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: object = None
    ) -> str:
        if isinstance(excinfo.value, PhpUnitFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"phpunit: {self.name}"


class PhpUnitFailure(AssertionError):
    """A PHPUnit test failed, errored, warned or was skipped."""


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPress]:
    """A real WordPress (Debian's package) on MariaDB, served by `php -S`, plugin active."""
    with start_wordpress(tmp_path_factory.mktemp("wordpress")) as site:
        yield site


@pytest.fixture
def wp(wordpress: WordPress) -> Iterator[WordPress]:
    """The WordPress; the test fails if it made PHP warnings or notices (WP_DEBUG is on)."""
    since = wordpress.log_size()
    yield wordpress
    problems = wordpress.log_problems(since)
    assert not problems, "PHP problems in the WordPress debug log:\n" + "\n".join(problems)
