# Reference values for clinical models with factors (T stage, HPV, AJCC stage) on the real
# HEAD-NECK-RADIOMICS-HN1 clinical table (../shared/data, CC BY-NC 3.0), computed with R's
# survival and rms. Run from the repository root:
#   Rscript tests/reference/make_clinical_factors.R
# Writes the prepared frame (hn1_factors.csv) and the reference results next to this file.
suppressPackageStartupMessages({library(survival); library(rms)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
shared <- Sys.getenv("RADIOGENOMICS_SHARED_DATA",
                     file.path(here, "..", "..", "..", "shared", "data"))
hn <- read.csv(file.path(shared, "radiogenomics", "hn1", "HN1_clinical.csv"),
               na.strings = c("", "NA"))
d <- data.frame(
  id = hn$id, age = hn$age_at_diagnosis,
  time = hn$overall_survival_in_days / 365.25, event = hn$event_overall_survival,
  t_stage = factor(paste0("T", hn$clin_t), levels = paste0("T", 1:4), ordered = TRUE),
  hpv = factor(ifelse(is.na(hn$overall_hpv_p16_status), "unknown",
                      hn$overall_hpv_p16_status), levels = c("negative", "positive", "unknown")),
  chemo = factor(hn$chemotherapy_given, levels = c("none", "concomitant", "concurrent")),
  stringsAsFactors = FALSE)
write.csv(d, file.path(here, "hn1_factors.csv"), row.names = FALSE)

# survival::coxph, treatment contrasts (ordered factor passed as unordered)
d_u <- d; d_u$t_stage <- factor(d_u$t_stage, ordered = FALSE)
fit <- coxph(Surv(time, event) ~ age + t_stage + hpv, data = d_u,
             control = coxph.control(eps = 1e-12, toler.chol = 1e-13, iter.max = 100))
s <- summary(fit)$coefficients
write.csv(data.frame(term = rownames(s), coef = s[, "coef"], se = s[, "se(coef)"]),
          file.path(here, "coxph_hn1_factors.csv"), row.names = FALSE)

# rms: cph and lrm with factors (rms needs treatment contrasts for ordered factors)
options(contrasts = c("contr.treatment", "contr.treatment"))
dd <- datadist(d[, c("age", "t_stage", "hpv", "chemo")]); options(datadist = "dd")
points_of <- function(nom, vars) do.call(rbind, lapply(vars, function(v)
  data.frame(variable = v, value = as.character(nom[[v]][[v]]),
             points = unname(nom[[v]]$points), stringsAsFactors = FALSE)))

cfit <- cph(Surv(time, event) ~ age + t_stage + hpv, data = d, x = TRUE, y = TRUE,
            surv = TRUE, time.inc = 3)
s3 <- Survival(cfit)
cnom <- nomogram(cfit, fun = function(lp) s3(3, lp), funlabel = "S(3)")
write.csv(points_of(cnom, c("age", "t_stage", "hpv")),
          file.path(here, "rms_cph_hn1_points.csv"), row.names = FALSE)
write.csv(data.frame(term = names(coef(cfit)), coef = unname(coef(cfit))),
          file.path(here, "rms_cph_hn1_coef.csv"), row.names = FALSE)
set.seed(1); v <- validate(cfit, B = 50)
write.csv(data.frame(index = rownames(v), index_orig = unname(v[, "index.orig"]),
                     optimism = unname(v[, "optimism"]),
                     index_corrected = unname(v[, "index.corrected"])),
          file.path(here, "rms_cph_hn1_validate.csv"), row.names = FALSE)
set.seed(1); cal <- calibrate(cfit, B = 40, u = 3)        # rms default: cmethod = "hare"
write.csv(data.frame(predicted = unname(cal[, "pred"]), observed = unname(cal[, "calibrated"]),
                     corrected = unname(cal[, "calibrated.corrected"])),
          file.path(here, "rms_cph_hn1_calibrate_hare.csv"), row.names = FALSE)
set.seed(1); calk <- calibrate(cfit, B = 40, u = 3, cmethod = "KM", m = 30)
write.csv(data.frame(predicted = unname(calk[, "mean.predicted"]),
                     observed = unname(calk[, "KM"]), corrected = unname(calk[, "KM.corrected"])),
          file.path(here, "rms_cph_hn1_calibrate_km.csv"), row.names = FALSE)
write.csv(data.frame(horizon = 3, s0 = s3(3, 0), center = cfit$center),
          file.path(here, "rms_cph_hn1_baseline.csv"), row.names = FALSE)

# survival decision curve at 3 years (dcurves' dca(Surv(...) ~ risk, time = 3) definition:
# risk among test positives = 1 - Kaplan-Meier survival at 3 years in that group, NA when
# the group's follow-up ends before 3 years, 0 for an empty group)
risk3 <- 1 - survest(cfit, newdata = d, times = 3)$surv
km_risk <- function(sub, t) {
  if (nrow(sub) == 0) return(0)
  f <- survfit(Surv(time, event) ~ 1, data = sub)
  if (max(f$time) < t) return(NA_real_)
  if (!any(f$time <= t)) return(0)
  1 - f$surv[max(which(f$time <= t))]
}
thr <- seq(0.01, 0.99, by = 0.01)
pos <- km_risk(d, 3)
nb <- sapply(thr, function(p) {
  tp_pos <- mean(risk3 >= p)
  r <- km_risk(d[risk3 >= p, ], 3)
  r * tp_pos - p / (1 - p) * (1 - r) * tp_pos
})
write.csv(data.frame(id = d$id, risk = risk3), file.path(here, "hn1_cph_risk3.csv"),
          row.names = FALSE)
write.csv(data.frame(threshold = thr, net_benefit = nb,
                     treat_all = pos - thr / (1 - thr) * (1 - pos)),
          file.path(here, "dca_survival_hn1.csv"), row.names = FALSE)

lfit <- lrm(event ~ age + t_stage + chemo, data = d, x = TRUE, y = TRUE)
lnom <- nomogram(lfit, fun = plogis, funlabel = "Risk")
write.csv(points_of(lnom, c("age", "t_stage", "chemo")),
          file.path(here, "rms_lrm_hn1_points.csv"), row.names = FALSE)
write.csv(data.frame(term = names(coef(lfit)), coef = unname(coef(lfit))),
          file.path(here, "rms_lrm_hn1_coef.csv"), row.names = FALSE)
set.seed(1); v <- validate(lfit, B = 50)
write.csv(data.frame(index = rownames(v), index_orig = unname(v[, "index.orig"]),
                     optimism = unname(v[, "optimism"]),
                     index_corrected = unname(v[, "index.corrected"])),
          file.path(here, "rms_lrm_hn1_validate.csv"), row.names = FALSE)
cat("clinical factor references written\n")
