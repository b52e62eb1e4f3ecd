# Survival models called from radiogenomics.rbridge.
suppressPackageStartupMessages(library(survival))

# Cox PH fit; returns one row per covariate with Wald statistics, 95% HR CIs,
# and the model's Harrell concordance.
# A formula built from symbols, never parsed from text: a column name cannot become code.
rg_formula <- function(lhs, rhs) {
  terms <- Reduce(function(a, b) call("+", a, b), lapply(rhs, as.name))
  as.formula(call("~", lhs, terms), env = parent.frame())
}

rg_coxph <- function(data, duration, event, covariates, ties = "efron", eps = 1e-12) {
  f <- rg_formula(call("Surv", as.name(duration), as.name(event)), covariates)
  fit <- coxph(f, data = data, ties = ties,
               control = coxph.control(eps = eps, toler.chol = min(.Machine$double.eps^0.75, eps / 10),
                                       iter.max = 100))
  s <- summary(fit)$coefficients
  ci <- exp(confint(fit))
  data.frame(
    term = rownames(s), coef = unname(s[, "coef"]), se = unname(s[, "se(coef)"]), z = unname(s[, "z"]),
    pvalue = unname(s[, "Pr(>|z|)"]), hr = unname(s[, "exp(coef)"]),
    hr_lower = unname(ci[, 1]), hr_upper = unname(ci[, 2]),
    concordance = unname(fit$concordance["concordance"]),
    stringsAsFactors = FALSE
  )
}

# Proportional-hazards test (survival >= 3 score test).
rg_cox_zph <- function(data, duration, event, covariates) {
  f <- rg_formula(call("Surv", as.name(duration), as.name(event)), covariates)
  z <- cox.zph(coxph(f, data = data), transform = "km")
  data.frame(term = rownames(z$table), chisq = unname(z$table[, "chisq"]),
             df = unname(z$table[, "df"]), pvalue = unname(z$table[, "p"]),
             stringsAsFactors = FALSE)
}

# Maximally selected log-rank statistic (maxstat, Lau94 p-value).
rg_maxstat <- function(time, event, score, minprop, maxprop) {
  suppressPackageStartupMessages(library(maxstat))
  d <- data.frame(time = time, event = event, score = score)
  m <- maxstat.test(Surv(time, event) ~ score, data = d, smethod = "LogRank",
                    pmethod = "Lau94", minprop = minprop, maxprop = maxprop)
  c(cutpoint = unname(m$estimate), statistic = unname(m$statistic), pvalue = m$p.value)
}
