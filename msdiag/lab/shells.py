"""One WinRM shell = one PSRP runspace pool, served with psrpcore's server half.

psrpcore is sans-IO: bytes from Create/Command/Send go in through ``receive_data``, events come
out of ``next_event``, and the fragments to send back are drained from ``data_to_send`` into
per-target buffers (the pool itself, or one pipeline) that Receive requests empty.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from psrpcore import (
    CreatePipelineEvent,
    EndOfPipelineInputEvent,
    PipelineInputEvent,
    PSRPPayload,
    ServerPipeline,
    StreamType,
)
from psrpcore.types import (
    ErrorCategory,
    ErrorCategoryInfo,
    ErrorRecord,
    NETException,
    PSInvocationState,
)

from msdiag.lab.psrp_pool import LabRunspacePool
from msdiag.lab.responder import Invocation, PipelineAnswer

#: Largest PSRP chunk put in one rsp:Stream element.
CHUNK_BYTES = 32 * 1024
#: Pipelines one shell may hold at once (a client leaking commands hits this, like a WinRM quota).
MAX_PIPELINES = 64
#: Bounds on the input a client pipes into one pipeline (Ansible sends ~0.5 MB: wrapper, module, args).
MAX_INPUT_ITEMS = 4096
MAX_INPUT_CHARS = 16 * 1024 * 1024
_FINISHED = {PSInvocationState.Completed, PSInvocationState.Failed, PSInvocationState.Stopped}

Responder = Callable[[Invocation], PipelineAnswer]


class ShellError(Exception):
    """The client's PSRP data could not be processed (answered as a WSMan fault)."""


def _invocation(pipe: ServerPipeline, piped: list[str] | None = None) -> Invocation:
    metadata: Any = pipe.metadata
    commands: list[tuple[str, bool, list[tuple[str | None, Any]]]] = []
    for command in getattr(metadata, "commands", None) or []:
        params = [(None if k is None else str(k), v) for k, v in command.parameters]
        commands.append((str(command.command_text), bool(command.is_script), params))
    return Invocation(commands, tuple(piped or ()))


def _takes_input(pipe: ServerPipeline) -> bool:
    return getattr(pipe.metadata, "no_input", True) is False


def _terminating_error(message: str) -> ErrorRecord:
    """An ErrorRecord like PowerShell's for ``throw "<message>"``."""
    exception = NETException(Message=message, HResult=-2146233087)
    exception.PSObject.type_names = [
        "System.Management.Automation.RuntimeException",
        "System.SystemException",
        *exception.PSTypeNames,
    ]
    return ErrorRecord(
        Exception=exception,
        CategoryInfo=ErrorCategoryInfo(Category=ErrorCategory.OperationStopped, Reason="RuntimeException"),
        FullyQualifiedErrorId=message[:200],
    )


class LabShell:
    """State of one shell: its runspace pool, pipelines and the output waiting for Receive."""

    def __init__(self, shell_id: str, responder: Responder) -> None:
        self.shell_id = shell_id
        self._responder = responder
        self._pool = LabRunspacePool()
        self._pipelines: dict[uuid.UUID, ServerPipeline] = {}
        self._buffers: dict[uuid.UUID | None, deque[bytes]] = {None: deque()}
        #: input piped into pipelines that are waiting for its end (then they are answered)
        self._input: dict[uuid.UUID, list[str]] = {}
        self._waiters: set[asyncio.Future[None]] = set()

    # ---------------------------------------------------------------- input
    def feed(self, data: bytes, command_id: str | None = None) -> None:
        """Process PSRP fragments from creationXml, rsp:Arguments or rsp:Send."""
        pipeline_id = uuid.UUID(command_id) if command_id else None
        try:
            self._pool.receive_data(PSRPPayload(data, StreamType.default, pipeline_id))
            while (event := self._pool.next_event()) is not None:
                if isinstance(event, CreatePipelineEvent):
                    pipe = self._pipelines[event.pipeline_id]
                    if _takes_input(pipe):
                        self._input[event.pipeline_id] = []  # answered once its input has ended
                    else:
                        self._run(pipe)
                elif isinstance(event, PipelineInputEvent):
                    self._add_input(event.pipeline_id, event.data)
                elif isinstance(event, EndOfPipelineInputEvent) and event.pipeline_id in self._input:
                    self._run(self._pipelines[event.pipeline_id], self._input.pop(event.pipeline_id))
        except ShellError:
            raise
        except Exception as exc:  # malformed fragments from an untrusted client
            raise ShellError(f"invalid PSRP data: {type(exc).__name__}: {exc}") from exc
        self._drain()

    def _add_input(self, pipeline_id: uuid.UUID, item: Any) -> None:
        piped = self._input.get(pipeline_id)
        if piped is None:
            raise ShellError("input for a command that does not take input")
        piped.append(item if isinstance(item, str) else str(item))
        if len(piped) > MAX_INPUT_ITEMS or sum(len(text) for text in piped) > MAX_INPUT_CHARS:
            raise ShellError("too much pipeline input")

    def add_pipeline(self, command_id: str) -> None:
        pipeline_id = uuid.UUID(command_id)
        if len(self._pipelines) >= MAX_PIPELINES:
            raise ShellError("too many commands in this shell")
        if pipeline_id in self._pipelines:
            raise ShellError("a command with this id exists already")
        self._pipelines[pipeline_id] = ServerPipeline(self._pool, pipeline_id)
        self._buffers[pipeline_id] = deque()

    def has_pipeline(self, command_id: str) -> bool:
        return uuid.UUID(command_id) in self._pipelines

    def signal(self, command_id: str, terminate: bool) -> None:
        """ctrl_c stops a running pipeline; Terminate also forgets it."""
        pipeline_id = uuid.UUID(command_id)
        pipe = self._pipelines.get(pipeline_id)
        if pipe is None:
            return
        if pipe.state in (PSInvocationState.Running, PSInvocationState.Stopping):
            pipe.stop()
        if terminate:
            pipe.close()
            del self._pipelines[pipeline_id]
            self._buffers.pop(pipeline_id, None)
            self._input.pop(pipeline_id, None)
        self._drain()

    # ---------------------------------------------------------------- the pipeline's answer
    def _run(self, pipe: ServerPipeline, piped: list[str] | None = None) -> None:
        result = self._responder(_invocation(pipe, piped))
        pipe.start()
        for line in result.output:
            pipe.write_output(line)
        if result.error is not None:
            # no public "fail" in psrpcore: a Failed state carrying the terminating ErrorRecord
            pipe._change_state(PSInvocationState.Failed, _terminating_error(result.error))
        else:
            pipe.complete()

    # ---------------------------------------------------------------- output
    def _drain(self) -> None:
        produced = False
        while (payload := self._pool.data_to_send(CHUNK_BYTES)) is not None:
            target = payload.pipeline_id if payload.pipeline_id in self._buffers else None
            self._buffers[target].append(payload.data)
            produced = True
        if produced:
            for waiter in self._waiters:
                if not waiter.done():
                    waiter.set_result(None)

    def _pending(self, pipeline_id: uuid.UUID | None) -> bool:
        buffer = self._buffers.get(pipeline_id)
        if buffer:
            return True
        pipe = self._pipelines.get(pipeline_id) if pipeline_id else None
        return pipe is not None and pipe.state in _FINISHED

    async def receive(
        self, command_id: str | None, timeout: float, budget: int
    ) -> tuple[list[bytes], bool] | None:
        """Wait up to ``timeout`` s for output; (chunks, command done) or None on time-out."""
        pipeline_id = uuid.UUID(command_id) if command_id else None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._pending(pipeline_id):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except asyncio.TimeoutError:
                return None
            finally:
                self._waiters.discard(waiter)
        buffer = self._buffers.get(pipeline_id, deque())
        chunks: list[bytes] = []
        used = 0
        while buffer and (not chunks or used + len(buffer[0]) <= budget):
            chunk = buffer.popleft()
            chunks.append(chunk)
            used += len(chunk)
        pipe = self._pipelines.get(pipeline_id) if pipeline_id else None
        done = pipe is not None and pipe.state in _FINISHED and not buffer
        return chunks, done

    def pipeline_running(self, command_id: str) -> bool:
        pipe = self._pipelines.get(uuid.UUID(command_id))
        return pipe is not None and pipe.state == PSInvocationState.Running
