# Reference for the group comparison behind the app's Compare page
# (radiogenomics.workflows.compare_columns / compare_clinical / compare_survival):
# wilcox.test (normal approximation with continuity correction, as for ties), p.adjust BH,
# kruskal.test, fisher.test (2 x 2 tables), chisq.test (larger tables) and the Cox hazard ratio of one
# group against the other with its 95 % Wald CI.
# Run from the repository root:  Rscript tests/reference/make_compare.R
# (R 4.2.2, Debian r-cran-survival). Writes compare_data.csv, compare_columns.csv and
# compare_clinical.csv.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
set.seed(20261203)
n <- 60
group <- rep(c("high", "low"), times = c(27, 33))
d <- data.frame(patient = sprintf("P%02d", seq_len(n)), group = group)
# 12 columns: 4 shifted in "high", one with heavy ties, one constant within ties
for (j in 1:12) {
  x <- rnorm(n)
  if (j <= 4) x <- x + ifelse(group == "high", 1.2, 0)
  if (j == 5) x <- round(x)
  d[[sprintf("g%02d", j)]] <- round(x, 6)
}
d$age <- round(rnorm(n, 60, 9) + ifelse(group == "high", 5, 0), 1)
d$stage <- sample(c("I", "II", "III"), n, replace = TRUE, prob = c(0.3, 0.4, 0.3))
d$sex <- sample(c("F", "M"), n, replace = TRUE)
d$hpv <- ifelse(runif(n) < ifelse(group == "high", 0.15, 0.5), "pos", "neg")
d$time <- round(rexp(n, ifelse(group == "high", 0.08, 0.04)), 2) + 0.1
d$event <- as.integer(runif(n) < 0.7)
write.csv(d, file.path(here, "compare_data.csv"), row.names = FALSE)

cols <- sprintf("g%02d", 1:12)
p <- sapply(cols, function(g) wilcox.test(d[[g]][d$group == "high"], d[[g]][d$group == "low"],
                                           exact = FALSE, correct = TRUE)$p.value)
w <- sapply(cols, function(g) wilcox.test(d[[g]][d$group == "high"], d[[g]][d$group == "low"],
                                           exact = FALSE, correct = TRUE)$statistic)
t <- sapply(cols, function(g) t.test(d[[g]][d$group == "high"], d[[g]][d$group == "low"])$p.value)
write.csv(data.frame(name = cols, statistic = unname(w), pvalue = unname(p),
                     qvalue = p.adjust(p, "BH"), welch_pvalue = unname(t),
                     welch_qvalue = p.adjust(t, "BH")),
          file.path(here, "compare_columns.csv"), row.names = FALSE)

g <- factor(d$group)
ph <- c(age = kruskal.test(d$age, g)$p.value,
        stage = chisq.test(table(d$stage, g))$p.value,
        sex = fisher.test(table(d$sex, g))$p.value,
        hpv = fisher.test(table(d$hpv, g))$p.value)
fit <- coxph(Surv(time, event) ~ relevel(g, "low"), data = d)
s <- summary(fit)$conf.int
lr <- survdiff(Surv(time, event) ~ g, data = d)
write.csv(data.frame(field = c(names(ph), "hr", "hr_lower", "hr_upper", "logrank"),
                     value = c(unname(ph), s[1, 1], s[1, 3], s[1, 4],
                               pchisq(lr$chisq, 1, lower.tail = FALSE))),
          file.path(here, "compare_clinical.csv"), row.names = FALSE)
