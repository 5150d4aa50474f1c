import numpy as np

from sphere.sampling import BatchSampler


def test_uniform_batches_cover_each_epoch_once():
    sampler = BatchSampler(np.arange(12) % 3, 4, None, seed=0)
    seen = np.concatenate([sampler.next()[0] for _ in range(3)])
    assert sorted(seen) == list(range(12))


def test_pk_batches_hold_k_images_of_p_identities():
    labels = np.repeat(np.arange(10), 5)
    index, flip = BatchSampler(labels, 12, 3, seed=0).next()
    counts = np.bincount(labels[index])
    assert len(index) == 12 and sorted(counts[counts > 0]) == [3, 3, 3, 3] and flip.dtype == bool


def test_state_round_trip_replays_the_same_batches():
    a = BatchSampler(np.arange(50) % 5, 8, None, seed=3)
    a.next()
    state = a.get_state()
    expected = [a.next() for _ in range(10)]
    b = BatchSampler(np.arange(50) % 5, 8, None, seed=99)
    b.set_state(state)
    for (i, f), (j, g) in zip(expected, (b.next() for _ in range(10))):
        assert np.array_equal(i, j) and np.array_equal(f, g)
