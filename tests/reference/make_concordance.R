# Harrell's C with R's infinitesimal-jackknife variance (survival::concordance), and the
# paired comparison of two scores, on lung (ties in time and in risk).
#   Rscript tests/reference/make_concordance.R
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
d <- read.csv(file.path(here, "lung.csv"))
d$a <- d$ph.ecog               # many ties in risk
d$b <- round(d$age / 10)       # another tied score
one <- function(x) {
  cc <- concordance(Surv(time, status) ~ x, data = data.frame(d, x = x), reverse = TRUE)
  c(concordance = unname(cc$concordance), var = unname(cc$var))
}
ra <- one(d$a); rb <- one(d$b)
# the two scores compared through their coxph fits (same ordering as the scores: positive coefficients)
fa <- coxph(Surv(time, status) ~ a, data = d); fb <- coxph(Surv(time, status) ~ b, data = d)
cab <- concordance(fa, fb)
dvar <- cab$var[1, 1] + cab$var[2, 2] - 2 * cab$var[1, 2]
write.csv(data.frame(score = c("ph.ecog", "age_decade", "difference"),
                     concordance = c(ra["concordance"], rb["concordance"],
                                     cab$concordance[1] - cab$concordance[2]),
                     var = c(ra["var"], rb["var"], dvar)),
          file.path(here, "concordance_lung.csv"), row.names = FALSE)
cat("concordance reference written\n")
