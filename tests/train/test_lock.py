import pytest

from sphere.errors import BusyError
from sphere.train.lock import exclusive


def test_a_second_writer_is_refused_and_the_lock_ends_with_its_holder(tmp_path):
    with exclusive(tmp_path):
        with pytest.raises(BusyError, match=r"another `sphere train` \(pid \d+\) is writing here"):
            with exclusive(tmp_path):
                pass
    with exclusive(tmp_path):  # released: free again
        pass
