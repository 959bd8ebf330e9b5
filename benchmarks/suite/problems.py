"""The paper's diagonal problem at benchmark sizes (shared by the asv suite and peers.py)."""


def paper_problem(seed=0, D=1000, n_aux=1024, n_main=64, overlap=30):
    """LL's teacher: returns (Xa, ya, Xm, ym) with rows rescaled to ||x||^2 = D."""
    from analysis import tasks
    teacher = tasks.make_teacher(seed, D=D, k=40, overlap=overlap)
    Xa, ya = tasks.aux_data(seed, teacher, n_aux)
    Xm, ym = tasks.main_data(seed, teacher, n_main)
    return Xa, ya, Xm, ym
