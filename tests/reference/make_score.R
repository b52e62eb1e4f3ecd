# Reference for rg.stats.score_survival: riskRegression::Score (AUC, Brier, IPA with the
# default influence-function SEs, KM censoring weights) on real data, for a Cox model
# (predictRisk of coxph / cause-specific Cox) and for external risk predictions, survival
# and competing risks. Predicted risks are rounded to 12 decimals before scoring and written
# next to the data, so R and Python score identical numbers. Calibration: plotCalibration
# with 10 quantile groups of predicted risk and local (KM / Aalen-Johansen) observed risk.
# Run from the repository root:  Rscript tests/reference/make_score.R
# (R 4.2.2, Debian r-cran-riskregression 2022.11.28). Writes score_predictions_<case>.csv
# score_reference.csv and score_calibration.csv.
suppressPackageStartupMessages({library(riskRegression); library(survival); library(prodlim)})
pdf(NULL)  # plotCalibration opens a device even with plot = FALSE
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
mel <- read.csv(file.path(here, "competing_melanoma.csv"))
mel$dead <- as.integer(mel$status != 0)
mel$ulcer <- factor(mel$ulcer)
mg <- read.csv(file.path(here, "competing_mgus2.csv"))
mg$dead <- as.integer(mg$status != 0)

out <- list(); cal <- list()
run <- function(case, d, formula, times, models, cause = 1, status = d$status) {
  risks <- lapply(models, function(m) round(m, 12))
  pred <- data.frame(time = d$time, status = status)
  for (m in names(risks)) for (j in seq_along(times))
    pred[[paste0(m, "_", times[j])]] <- risks[[m]][, j]
  write.csv(pred, file.path(here, paste0("score_predictions_", case, ".csv")), row.names = FALSE)
  s <- Score(risks, formula = formula, data = d, times = times, cause = cause,
             metrics = c("auc", "brier"), summary = "ipa", null.model = TRUE, se.fit = TRUE,
             plots = "calibration")
  for (tt in times) {
    pc <- plotCalibration(s, times = tt, method = "quantile", q = 10, cens.method = "local",
                          plot = FALSE)$plotFrames
    for (m in names(pc)) cal[[length(cal) + 1]] <<- data.frame(
      case = case, model = m, times = tt, bin = seq_len(nrow(pc[[m]])),
      Pred = pc[[m]]$Pred, Obs = pc[[m]]$Obs)
  }
  a <- as.data.frame(s$AUC$score); b <- as.data.frame(s$Brier$score)
  m <- merge(b[, c("model", "times", "Brier", "se", "IPA")],
             a[, c("model", "times", "AUC", "se")], by = c("model", "times"), all.x = TRUE,
             suffixes = c("_brier", "_auc"))
  out[[length(out) + 1]] <<- data.frame(case = case, m)
}
t_mel <- c(1000, 2000, 3000)
cox <- coxph(Surv(time, dead) ~ age + thick + ulcer, data = mel, x = TRUE)
lp <- with(mel, 0.02 * (age - 50) + 0.15 * thick + 0.8 * (ulcer == "present"))
ext <- sapply(t_mel, function(t) 1 - exp(-exp(lp) * t / 8000))
run("melanoma_survival", mel, Hist(time, dead) ~ 1, t_mel,
    list(cox = predictRisk(cox, newdata = mel, times = t_mel), external = ext))
csc <- CSC(Hist(time, status) ~ age + thick + ulcer, data = mel)
run("melanoma_competing", mel, Hist(time, status) ~ 1, t_mel,
    list(csc = predictRisk(csc, newdata = mel, times = t_mel, cause = 1), external = ext))
t_mg <- c(60, 120, 240)
lpm <- with(mg, 0.05 * (age - 70) - 0.1 * (hgb - 13))
# death without progression (status 2) is the event of interest here. It is recoded as
# cause 1 for Score: riskRegression 2022.11.28 gives other AUC standard errors with
# cause = 2 (0.041, 0.042, 0.091) than for the same analysis with the codes swapped
# (0.0152, 0.0138, 0.0179), while AUC and Brier agree; the swapped coding is the reference.
# The predictions file keeps the original coding (Python scores it with cause = 2).
mg$swapped <- ifelse(mg$status == 0, 0, 3 - mg$status)
run("mgus2_competing", mg, Hist(time, swapped) ~ 1, t_mg,
    list(external = sapply(t_mg, function(t) 1 - exp(-exp(lpm) * t / 900))), cause = 1,
    status = mg$status)
run("mgus2_survival", mg, Hist(time, dead) ~ 1, t_mg,
    list(external = sapply(t_mg, function(t) 1 - exp(-exp(lpm) * t / 300))))
write.csv(do.call(rbind, out), file.path(here, "score_reference.csv"), row.names = FALSE)
write.csv(do.call(rbind, cal), file.path(here, "score_calibration.csv"), row.names = FALSE)
cat("Score references written\n")
