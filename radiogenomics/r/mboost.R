# glmboost through R mboost (used when mboost is installed; it is not in Debian).
rg_glmboost <- function(X, y, family, mstop, nu, center, time = NULL) {
  suppressPackageStartupMessages(library(mboost))
  fam <- switch(family, gaussian = Gaussian(), binomial = Binomial(), cox = CoxPH())
  resp <- switch(family, gaussian = y, binomial = factor(y, levels = c(0, 1)),
                 cox = survival::Surv(time, y))
  m <- glmboost(x = cbind("(Intercept)" = 1, X), y = resp, family = fam, center = center,
                control = boost_control(mstop = mstop, nu = nu))
  path <- do.call(cbind, lapply(seq_len(ncol(X) + 1), function(j) {
    cf <- coef(m, which = j, aggregate = "cumsum")
    if (length(cf) == 0) rep(0, mstop) else as.numeric(cf[[1]])
  }))
  list(path = path, xselect = selected(m) - 1L, risk = as.numeric(m$risk())[-1],
       offset = as.numeric(m$offset))
}

# Cross-validated glmnet (binomial); coefficients at lambda.min (no intercept).
rg_cv_glmnet <- function(X, y, alpha, nfolds, seed) {
  suppressPackageStartupMessages(library(glmnet))
  set.seed(seed)
  cv <- cv.glmnet(X, y, family = "binomial", alpha = alpha, nfolds = nfolds,
                  standardize = FALSE)
  as.numeric(coef(cv, s = "lambda.min"))[-1]
}
