# rms models for radiogenomics.rbridge: lrm / cph fits, nomogram points, validate, calibrate.
# Factors use treatment contrasts (rms requires them for ordered factors); each fit keeps
# its own datadist, assigned in R's global environment under the name rms looks up.
suppressPackageStartupMessages({library(rms); library(survival)})

rg_treatment <- function() options(contrasts = c("contr.treatment", "contr.treatment"))

rg_rms_fit <- function(data, outcome, predictors, family, duration = NULL, time_inc = NULL,
                       dd_name = "rg_datadist") {
  old <- rg_treatment(); on.exit(options(old))
  assign(dd_name, datadist(data[, predictors, drop = FALSE]), envir = globalenv())
  options(datadist = dd_name)
  # built from symbols, never parsed from text: a column name cannot become code
  rhs <- Reduce(function(a, b) call("+", a, b), lapply(predictors, as.name))
  if (family == "binomial") {
    f <- as.formula(call("~", as.name(outcome), rhs))
    lrm(f, data = data, x = TRUE, y = TRUE)
  } else {
    f <- as.formula(call("~", call("Surv", as.name(duration), as.name(outcome)), rhs))
    args <- list(f, data = data, x = TRUE, y = TRUE, surv = TRUE)
    if (!is.null(time_inc)) args$time.inc <- time_inc
    do.call(cph, args)
  }
}

rg_rms_nomogram <- function(fit, predictors, horizons = NULL, dd_name = "rg_datadist") {
  old <- rg_treatment(); on.exit(options(old))
  options(datadist = dd_name)
  if (inherits(fit, "cph")) {
    s <- Survival(fit)
    funs <- lapply(horizons, function(h) function(lp) s(h, lp))
    nom <- nomogram(fit, fun = funs, funlabel = paste("S", horizons, sep = "@"))
  } else {
    nom <- nomogram(fit, fun = plogis, funlabel = "Risk")
  }
  pts <- do.call(rbind, lapply(predictors, function(v)
    data.frame(variable = v, value = as.character(nom[[v]][[v]]),
               numeric = is.numeric(nom[[v]][[v]]),
               points = unname(nom[[v]]$points), stringsAsFactors = FALSE)))
  list(points = pts, coef = coef(fit), sc = attr(nom, "info")$sc,
       center = if (inherits(fit, "cph")) fit$center else 0)
}

rg_rms_validate <- function(fit, B, seed) {
  old <- rg_treatment(); on.exit(options(old))
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

# Cox: survival at u = horizon (the fit's time.inc), rms' default cmethod "hare" or
# cmethod "KM" with m patients per group; logistic: calibrate.default.
rg_rms_calibrate <- function(fit, B, seed, horizon = NULL, cmethod = "hare", m = 50) {
  old <- rg_treatment(); on.exit(options(old))
  set.seed(seed)
  if (inherits(fit, "cph")) {
    if (cmethod == "KM") {
      cal <- calibrate(fit, B = B, u = horizon, cmethod = "KM", m = m)
      data.frame(predicted = unname(cal[, "mean.predicted"]), observed = unname(cal[, "KM"]),
                 corrected = unname(cal[, "KM.corrected"]))
    } else {
      cal <- calibrate(fit, B = B, u = horizon, cmethod = "hare")
      data.frame(predicted = unname(cal[, "pred"]), observed = unname(cal[, "calibrated"]),
                 corrected = unname(cal[, "calibrated.corrected"]))
    }
  } else {
    cal <- calibrate(fit, B = B)
    data.frame(predicted = unname(cal[, "predy"]), observed = unname(cal[, "calibrated.orig"]),
               corrected = unname(cal[, "calibrated.corrected"]))
  }
}

# Survival at each horizon for a patient whose linear predictor equals the fit's centre
# (Survival() takes the centred linear predictor, as predict(fit, type = "lp") returns it).
rg_cph_baseline <- function(fit, horizons) {
  s <- Survival(fit)
  data.frame(horizon = horizons, s0 = sapply(horizons, function(h) s(h, 0)))
}
