# glmboost through R mboost (used when mboost is installed; it is not in Debian).
rg_glmboost <- function(X, y, family, mstop, nu, center, time = NULL, folds = NULL) {
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
  out <- list(path = path, xselect = selected(m) - 1L, risk = as.numeric(m$risk())[-1],
              offset = as.numeric(m$offset))
  # early stopping by mboost's own cvrisk on the caller's in-bag weight matrix, so one fit
  # never mixes engines
  if (!is.null(folds)) out$cvrisk <- unclass(cvrisk(m, folds = folds, grid = 0:mstop,
                                                    papply = lapply))
  out
}

# Cross-validated glmnet (gaussian, binomial or cox) on the folds given by foldid (1..K,
# made by the caller); coefficients at lambda.min (no intercept) and lambda.min itself.
rg_cv_glmnet <- function(X, y, family, alpha, foldid, time = NULL, lambda = NULL) {
  suppressPackageStartupMessages(library(glmnet))
  resp <- if (family == "cox") cbind(time = time, status = y) else y
  cv <- cv.glmnet(X, resp, family = family, alpha = alpha, foldid = foldid,
                  standardize = FALSE, lambda = lambda)
  cf <- as.numeric(coef(cv, s = "lambda.min"))
  list(coef = if (family == "cox") cf else cf[-1], lambda = cv$lambda.min)
}
