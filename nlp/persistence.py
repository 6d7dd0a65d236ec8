"""How the project's trained NLU components keep what they learnt: files in the folder Rasa's
model storage gives each component, written once after training and read when the model is
loaded. Arrays go in numpy's .npz files and are read without pickle, the rest in JSON, so
loading a model runs no code."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

C = TypeVar("C", bound="PersistedComponent")


class PersistedComponent(GraphComponent):
    """A trainable component whose learnt state is files: a subclass says what it writes
    (`write`) and how it reads it back (`read`); its `train` ends with `return self.persist()`."""

    def __init__(self, config: dict[str, Any], storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = storage
        self._resource = resource

    @classmethod
    def create(
        cls: type[C],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls: type[C],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> C:
        component = cls(config, model_storage, resource)
        with model_storage.read_from(resource) as folder:
            component.read(folder)
        return component

    def persist(self) -> Resource:
        with self._storage.write_to(self._resource) as folder:
            self.write(folder)
        return self._resource

    def write(self, folder: Path) -> None:
        raise NotImplementedError

    def read(self, folder: Path) -> None:
        raise NotImplementedError


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    np.savez(path, **arrays)


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}
