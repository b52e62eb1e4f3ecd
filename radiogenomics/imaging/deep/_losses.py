"""Losses in torch: Cox partial likelihood (Breslow and Efron ties) and the supervised
contrastive loss."""

from __future__ import annotations

from typing import Any


def cox_partial_likelihood(risk: Any, time: Any, event: Any, ties: str = "efron",
                           reduction: str = "mean") -> Any:
    """Negative log partial likelihood of a Cox model with linear predictor ``risk``.

    Equals ``-loglik`` of R ``survival::coxph`` at fixed coefficients (tested against R on
    ``survival::lung`` for both tie methods). ``reduction="mean"`` divides by the number of
    events (scale-free for mini-batches), ``"sum"`` returns the full negative log-likelihood.

    Parameters
    ----------
    risk, time, event
        1-D tensors (risk = log relative hazard; event 1 = event, 0 = censored).
    ties
        ``"efron"`` or ``"breslow"``.
    reduction
        ``"mean"`` (per event) or ``"sum"``.

    Returns
    -------
    torch.Tensor
        A scalar loss.

    Examples
    --------
    >>> import torch
    >>> risk = torch.tensor([0.5, 0.0, -0.5]); time = torch.tensor([1.0, 2.0, 3.0])
    >>> loss = cox_partial_likelihood(risk, time, torch.tensor([1.0, 1.0, 0.0]), reduction="sum")
    >>> round(float(loss), 4)
    1.1543
    """
    import torch

    if ties not in ("efron", "breslow"):
        raise ValueError(f"ties='{ties}': choose 'efron' or 'breslow'.")
    risk = risk.reshape(-1)
    time = time.reshape(-1).to(risk.dtype)
    event = event.reshape(-1).to(risk.dtype)
    order = torch.argsort(time, descending=True)
    r, t, e = risk[order], time[order], event[order]
    # log Σ_{j: t_j ≥ t_i} exp(r_j): cumulative log-sum-exp in descending time, taken at the
    # last index of each tie group so tied subjects share the same risk set
    cum = torch.logcumsumexp(r, dim=0)
    uniq, inverse, counts = torch.unique_consecutive(t, return_inverse=True,
                                                     return_counts=True)
    last = torch.cumsum(counts, 0) - 1
    log_risk_set = cum[last][inverse]
    n_events = e.sum()
    if n_events == 0:
        raise ValueError("cox loss: the batch has no events; use larger or stratified batches.")
    if ties == "breslow":
        loglik = (e * (r - log_risk_set)).sum()
    else:
        # Efron: for d tied events at t, subtract (k/d)·Σ_{tied events} exp(r) for k = 0..d-1
        group = inverse
        g = len(uniq)
        d = torch.zeros(g, dtype=r.dtype, device=r.device).index_add_(0, group, e)
        s_ev = torch.zeros(g, dtype=r.dtype, device=r.device).index_add_(0, group, e * r.exp())
        risk_set = log_risk_set.exp()
        # rank of each event within its tie group (0..d-1)
        ev_idx = torch.nonzero(e > 0).reshape(-1)
        k = torch.zeros_like(e)
        if len(ev_idx):
            grp = group[ev_idx]  # non-decreasing: events of one tie group are consecutive
            _, n_in = torch.unique_consecutive(grp, return_counts=True)
            starts = torch.repeat_interleave(torch.cumsum(n_in, 0) - n_in, n_in)
            k[ev_idx] = (torch.arange(len(grp), device=r.device) - starts).to(r.dtype)
        denom = risk_set - (k / d[group].clamp(min=1)) * s_ev[group]
        loglik = (e * (r - torch.log(denom))).sum()
    return -loglik / n_events if reduction == "mean" else -loglik


def supervised_contrastive_loss(emb: Any, labels: Any, temperature: float = 0.1) -> Any:
    """Supervised contrastive loss (Khosla et al. 2020, L_out) on L2-normalised embeddings.

    For each anchor with at least one positive (same label, not itself):
    −mean over positives p of log( exp(z·z_p/τ) / Σ_{a ≠ anchor} exp(z·z_a/τ) ); averaged over
    such anchors (0 when no anchor has a positive).

    Parameters
    ----------
    emb
        N × d embeddings (normalised inside).
    labels
        N class labels.
    temperature
        τ.

    Returns
    -------
    torch.Tensor
        A scalar loss.

    Examples
    --------
    >>> import torch
    >>> emb = torch.tensor([[1.0, 0], [0.9, 0.1], [0, 1.0], [0.1, 0.9]])
    >>> good = supervised_contrastive_loss(emb, torch.tensor([0, 0, 1, 1]))
    >>> bad = supervised_contrastive_loss(emb, torch.tensor([0, 1, 0, 1]))
    >>> bool(good < bad)
    True
    """
    import torch

    z = torch.nn.functional.normalize(emb.float(), dim=1)
    sim = z @ z.T / temperature
    n = len(z)
    self_mask = torch.eye(n, dtype=torch.bool, device=z.device)
    sim = sim.masked_fill(self_mask, float("-inf"))
    log_prob = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    pos = (labels[:, None] == labels[None, :]) & ~self_mask
    n_pos = pos.sum(dim=1)
    has = n_pos > 0
    if not has.any():
        return emb.sum() * 0.0
    per_anchor = -(log_prob.masked_fill(~pos, 0.0).sum(dim=1)[has] / n_pos[has])
    return per_anchor.mean()
