# References for competing risks: cmprsk::cuminc (Aalen-Johansen cumulative incidence with
# Gray's variance; Gray's k-sample test) on two real data sets, written next to the data:
#   Melanoma (riskRegression; Andersen et al. 1993): 205 patients, status 0 censored,
#     1 death from melanoma, 2 death from other causes; text labels in `event`.
#   mgus2 (survival; Kyle et al. 2002): 1,384 patients, progression to plasma-cell
#     malignancy (1) vs death without progression (2).
# Run from the repository root:  Rscript tests/reference/make_competing.R
# (R 4.2.2, Debian r-cran-cmprsk 2.2-11, r-cran-riskregression).
suppressPackageStartupMessages({library(cmprsk); library(survival); library(riskRegression)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))

data(Melanoma, package = "riskRegression")
mel <- data.frame(time = Melanoma$time, status = Melanoma$status,
                  event = as.character(Melanoma$event), invasion = Melanoma$invasion,
                  ulcer = Melanoma$ulcer, sex = Melanoma$sex, age = Melanoma$age,
                  thick = Melanoma$thick)
write.csv(mel, file.path(here, "competing_melanoma.csv"), row.names = FALSE)
mgus2 <- survival::mgus2
mg <- data.frame(time = ifelse(mgus2$pstat == 0, mgus2$futime, mgus2$ptime),
                 status = ifelse(mgus2$pstat == 0, 2 * mgus2$death, 1),
                 sex = mgus2$sex, age = mgus2$age, hgb = mgus2$hgb)
mg <- mg[complete.cases(mg), ]
write.csv(mg, file.path(here, "competing_mgus2.csv"), row.names = FALSE)

curves <- list(); tests <- list()
run <- function(name, d, group, strata = NULL) {
  ci <- if (is.null(strata)) cuminc(d$time, d$status, d[[group]]) else
    cuminc(d$time, d$status, d[[group]], d[[strata]])
  times <- sort(unique(d$time))
  tp <- timepoints(ci[names(ci) != "Tests"], times)
  for (k in rownames(tp$est)) {
    lab <- strsplit(k, " ")[[1]]
    curves[[length(curves) + 1]] <<- data.frame(
      data = name, by = group, group = paste(lab[-length(lab)], collapse = " "),
      cause = lab[length(lab)], time = times, est = tp$est[k, ], var = tp$var[k, ])
  }
  t <- ci$Tests
  tests[[length(tests) + 1]] <<- data.frame(data = name, by = group,
    strata = if (is.null(strata)) "" else strata, cause = rownames(t), stat = t[, "stat"],
    pvalue = t[, "pv"], df = t[, "df"])
}
run("melanoma", mel, "invasion")
run("melanoma", mel, "ulcer", strata = "sex")
run("mgus2", mg, "sex")
cur <- do.call(rbind, curves)
cur <- cur[!is.na(cur$est), ]
write.csv(cur, file.path(here, "cuminc_curves.csv"), row.names = FALSE)
write.csv(do.call(rbind, tests), file.path(here, "cuminc_gray_tests.csv"), row.names = FALSE)
cat("competing-risk references written\n")

# Fine-Gray (cmprsk::crr) with numeric and factor covariates (model.matrix coding, first
# level as reference), for the cause of interest and for the competing cause.
fg <- function(name, d, formula, cause) {
  X <- model.matrix(formula, d)[, -1, drop = FALSE]
  f <- crr(d$time, d$status, X, failcode = cause, cencode = 0)
  se <- sqrt(diag(f$var))
  data.frame(data = name, cause = cause, model = deparse(formula), term = colnames(X),
             coef = unname(f$coef), se = se, pvalue = 2 * pnorm(-abs(unname(f$coef) / se)),
             converged = f$converged, loglik = f$loglik)
}
crr_ref <- rbind(
  fg("melanoma", mel, ~ invasion + ulcer + sex + age + thick, 1),
  fg("melanoma", mel, ~ invasion + ulcer + sex + age + thick, 2),
  fg("mgus2", mg, ~ sex + age + hgb, 1))
write.csv(crr_ref, file.path(here, "crr_coef.csv"), row.names = FALSE)
cat("crr references written\n")

# Predicted cumulative incidence of a Fine-Gray model (cmprsk::predict.crr) for the first 12
# patients at fixed times: F(t) read from predict.crr's step function (last failure time <= t).
fgp <- function(name, d, formula, cause, times) {
  X <- model.matrix(formula, d)[, -1, drop = FALSE]
  f <- crr(d$time, d$status, X, failcode = cause, cencode = 0)
  p <- predict(f, X[1:12, , drop = FALSE])
  rows <- list()
  for (tt in times) {
    k <- sum(p[, 1] <= tt)
    est <- if (k == 0) rep(0, 12) else p[k, -1]
    rows[[length(rows) + 1]] <- data.frame(data = name, cause = cause, row = 1:12, time = tt,
                                           cif = unname(est))
  }
  do.call(rbind, rows)
}
pred_ref <- rbind(
  fgp("melanoma", mel, ~ invasion + ulcer + sex + age + thick, 1, c(365, 1000, 1826, 3000, 10)),
  fgp("melanoma", mel, ~ invasion + ulcer + sex + age + thick, 2, c(1826, 3650)),
  fgp("mgus2", mg, ~ sex + age + hgb, 1, c(60, 120, 240, 400)))
write.csv(pred_ref, file.path(here, "crr_predict.csv"), row.names = FALSE)
cat("predict.crr references written\n")
