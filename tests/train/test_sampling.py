import numpy as np

from sphere.train.sampling import BatchSampler


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


def test_every_batch_has_the_same_shape_across_epochs_and_small_stores():
    """Static shapes for the compiled step: no partial batch at an epoch's end, nor from a tiny store."""
    for labels, batch, k in (
        (np.arange(10) % 3, 4, None),
        (np.arange(3), 8, None),
        (np.repeat(np.arange(10), 5), 10, 4),
        (np.repeat(np.arange(2), 3), 12, 4),
        (np.arange(6), 3, 4),
    ):
        sampler = BatchSampler(labels, batch, k, seed=0)
        for _ in range(7):
            index, flip = sampler.next()
            assert index.shape == (batch,) and flip.shape == (batch,) and index.max() < len(labels)


def test_a_store_smaller_than_a_batch_still_shows_every_image_once_per_lap():
    index, _ = BatchSampler(np.zeros(3, int), 6, None, seed=1).next()
    assert sorted(index) == [0, 0, 1, 1, 2, 2]


def test_the_fix_for_partial_batches_keeps_the_old_batches_where_there_were_none():
    """Stores that always gave full batches (the committed runs) draw exactly the batches they drew before."""
    rng = np.random.default_rng(5)
    order = rng.permutation(12)
    index, _ = BatchSampler(np.arange(12), 4, None, seed=5).next()
    assert np.array_equal(index, order[:4])
