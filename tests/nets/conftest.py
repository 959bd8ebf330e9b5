import pytest
import torch

from featreuse import nets

D, K = 12, 30


@pytest.fixture(scope="session", autouse=True)
def optimizer_imports():
    """The first ``torch.optim`` step imports torch._dynamo (seconds); pay it once, in setup."""
    p = torch.nn.Parameter(torch.zeros(1))
    p.grad = torch.zeros(1)
    torch.optim.SGD([p], lr=0.1).step()


@pytest.fixture(autouse=True)
def one_thread():
    """Small problems: one thread avoids the cost of waking a thread pool at every op."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def config():
    return nets.ReluConfig(D=D, K=K, max_epochs=120, max_pretrain_steps=120, max_restarts=3)


@pytest.fixture
def teacher():
    return nets.make_teacher(0, D=D, n_main_units=3, rho=0.5)


@pytest.fixture
def stl(config, teacher):
    """``stl(seed, n, lr, **kw)``: a single-task run on the main data and init of ``seed``."""
    def make(seed, n, lr, **kwargs):
        X, y = nets.main_data(seed, teacher=teacher, n=n)
        W0, a0 = nets.init_params([seed], config)
        return nets.RunSpec((X,), (y,), W0[0], a0[0], lr=lr, shuffle_seed=seed,
                            max_epochs=kwargs.pop("max_epochs", config.max_epochs), **kwargs)
    return make
