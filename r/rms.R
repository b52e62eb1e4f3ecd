# rms models for radiogenomics.rbridge: lrm / cph fits, nomogram points, validate, calibrate.
suppressPackageStartupMessages({library(rms); library(survival)})

rg_rms_fit <- function(data, outcome, predictors, family, duration = NULL) {
  # rms looks the datadist up by name in the global environment
  assign("rg_datadist", datadist(data[, predictors, drop = FALSE]), envir = globalenv())
  options(datadist = "rg_datadist")
  rhs <- paste0("`", predictors, "`", collapse = " + ")
  if (family == "binomial") {
    f <- as.formula(paste0("`", outcome, "` ~ ", rhs))
    lrm(f, data = data, x = TRUE, y = TRUE)
  } else {
    f <- as.formula(paste0("Surv(`", duration, "`, `", outcome, "`) ~ ", rhs))
    cph(f, data = data, x = TRUE, y = TRUE, surv = TRUE)
  }
}

rg_rms_nomogram <- function(fit, predictors, horizons = NULL) {
  if (inherits(fit, "cph")) {
    s <- Survival(fit)
    funs <- lapply(horizons, function(h) function(lp) s(h, lp))
    nom <- nomogram(fit, fun = funs, funlabel = paste("S", horizons, sep = "@"))
  } else {
    nom <- nomogram(fit, fun = plogis, funlabel = "Risk")
  }
  pts <- do.call(rbind, lapply(predictors, function(v)
    data.frame(variable = v, value = as.numeric(nom[[v]][[v]]),
               points = unname(nom[[v]]$points), stringsAsFactors = FALSE)))
  list(points = pts, coef = coef(fit), sc = attr(nom, "info")$sc,
       center = if (inherits(fit, "cph")) fit$center else 0)
}

rg_rms_validate <- function(fit, B, seed) {
  set.seed(seed)
  v <- validate(fit, B = B)
  out <- data.frame(index = rownames(v), index_orig = unname(v[, "index.orig"]),
                    optimism = unname(v[, "optimism"]),
                    index_corrected = unname(v[, "index.corrected"]), stringsAsFactors = FALSE)
  d <- out[out$index == "Dxy", ]
  # C-index (AUC for lrm) = Dxy / 2 + 1/2 (optimism halves)
  rbind(out, data.frame(index = "C", index_orig = d$index_orig / 2 + 0.5,
                        optimism = d$optimism / 2, index_corrected = d$index_corrected / 2 + 0.5))
}

rg_rms_calibrate <- function(fit, B, seed, horizon = NULL) {
  set.seed(seed)
  if (inherits(fit, "cph")) {
    cal <- calibrate(fit, B = B, u = horizon, cmethod = "KM", m = max(20, floor(nrow(fit$x) / 5)))
    data.frame(predicted = unname(cal[, "mean.predicted"]), observed = unname(cal[, "KM"]),
               corrected = unname(cal[, "KM.corrected"]))
  } else {
    cal <- calibrate(fit, B = B)
    data.frame(predicted = unname(cal[, "predy"]), observed = unname(cal[, "calibrated.orig"]),
               corrected = unname(cal[, "calibrated.corrected"]))
  }
}

rg_cph_baseline <- function(fit, horizons) {
  s <- Survival(fit)
  data.frame(horizon = horizons, s0 = sapply(horizons, function(h) s(h, 0)))
}
