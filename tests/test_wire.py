"""The one format across the sandbox boundary: data in, data out, nothing executable."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradelab.sandbox import wire


def round_trip(value):
    return wire.decode(json.loads(wire.dumps({"v": wire.encode(value)}))["v"])


def test_arrays_keep_dtype_shape_and_values():
    for array in (np.arange(6.0).reshape(2, 3).T, np.array([1, -2], dtype=np.int8), np.eye(2)):
        back = round_trip(array)
        assert type(back) is np.ndarray
        assert back.dtype == array.dtype and back.shape == array.shape
        assert np.array_equal(back, array)


def test_numpy_scalars_stay_scalars_and_a_list_of_them_stays_a_list():
    back = round_trip([np.float64(1.5), np.int32(2)])
    assert isinstance(back, list) and back == [1.5, 2]
    assert np.asarray(back).shape == (2,)


def test_tuples_dicts_and_non_finite_floats_survive():
    back = round_trip((1, "a", None, {"k": [True, 2.5]}, float("inf")))
    assert back[:4] == (1, "a", None, {"k": [True, 2.5]}) and back[4] == float("inf")


def test_objects_that_are_not_data_arrive_as_named_markers():
    class Sneaky:
        def __eq__(self, other):
            return True

    back = round_trip([Sneaky(), print, np.array([object()])])
    assert [type(x) for x in back] == [wire.Unsupported] * 3
    assert back[0].type_name == "Sneaky"
    assert back[0] != 1.0


def test_ndarray_subclasses_arrive_as_plain_arrays():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return np.ones(1, dtype=bool)

    back = round_trip(np.arange(3.0).view(Liar))
    assert type(back) is np.ndarray and not np.array_equal(back, [9, 9, 9])


@pytest.mark.parametrize(
    "payload",
    [
        {"__ndarray__": "AAAA", "dtype": "|O", "shape": [1]},
        {"__ndarray__": "AAAAAAAAAAA=", "dtype": "<f8", "shape": [10**9]},
        {"__ndarray__": "not base64!", "dtype": "<f8", "shape": [1]},
        {"__float__": "__import__('os')"},
        {"__class__": "os.system"},
    ],
)
def test_malformed_or_executable_payloads_are_refused(payload):
    with pytest.raises(wire.WireError):
        wire.decode(payload)


def test_depth_is_capped_both_ways():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.encode(deep)
    with pytest.raises(wire.WireError):
        wire.decode(json.loads(json.dumps(deep)))


def test_a_line_that_is_not_a_json_object_is_refused():
    for line in (b"[1, 2]", b"{oops", b"\xff\xfe"):
        with pytest.raises(wire.WireError):
            wire.loads(line)


def test_sympy_objects_arrive_as_printer_text_never_as_objects():
    import sympy

    w, x = sympy.symbols("w x")
    back = round_trip([2 * w * x, sympy.Matrix([[w, 1]])])
    assert [type(item) for item in back] == [wire.SympyText, wire.SympyText]
    assert back == ["2*w*x", "Matrix([[w, 1]])"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(["__dict__", "__tuple__", "__ndarray__", "__scalar__", "__float__",
                         "__sympy__", "__unsupported__", "dtype", "shape", "x"]),
        children,
        max_size=3,
    ),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=500, deadline=None, derandomize=True)
@given(json_values)
def test_whatever_the_sandbox_sends_decodes_to_a_value_or_a_wire_error(data):
    try:
        value = wire.decode(data)
    except wire.WireError:
        return
    kinds = (bool, int, float, str, list, tuple, dict, np.ndarray, np.generic, wire.Unsupported)
    assert value is None or isinstance(value, kinds)
