# Reference values for radiogenomics' statistics tests, computed with R.
# Run from the repository root:  Rscript tests/reference/make_reference.R
# (R 4.2.2 with Debian's r-cran-survival). Writes CSVs next to this script.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))

lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])
lung2$status <- lung2$status - 1L            # 1 = death, 0 = censored
write.csv(lung2, file.path(here, "lung.csv"), row.names = FALSE)

rows <- list()
for (ties in c("efron", "breslow")) {
  fit <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung2, ties = ties,
               control = coxph.control(eps = 1e-12, toler.chol = 1e-13, iter.max = 100))
  s <- summary(fit)$coefficients
  rows[[ties]] <- data.frame(ties = ties, covariate = rownames(s), coef = s[, "coef"],
                             se = s[, "se(coef)"], pvalue = s[, "Pr(>|z|)"],
                             concordance = unname(fit$concordance["concordance"]))
}
write.csv(do.call(rbind, rows), file.path(here, "coxph_lung.csv"), row.names = FALSE)

sd <- survdiff(Surv(time, status) ~ sex, data = lung2)
sd3 <- survdiff(Surv(time, status) ~ ph.ecog, data = lung2)
write.csv(data.frame(groups = c("sex", "ph.ecog"), chisq = c(sd$chisq, sd3$chisq),
                     df = c(length(sd$n) - 1, length(sd3$n) - 1),
                     pvalue = c(1 - pchisq(sd$chisq, length(sd$n) - 1),
                                1 - pchisq(sd3$chisq, length(sd3$n) - 1))),
          file.path(here, "logrank_lung.csv"), row.names = FALSE)

km <- survfit(Surv(time, status) ~ 1, data = lung2, conf.type = "log-log")
write.csv(data.frame(time = km$time, survival = km$surv, lower = km$lower, upper = km$upper,
                     n_risk = km$n.risk),
          file.path(here, "km_lung.csv"), row.names = FALSE)
cat("reference CSVs written to", here, "\n")
