# Reference for LassoSelector(engine="glmnet"/"auto"): cv.glmnet on fixed folds (foldid
# written next to the data, so no RNG has to agree between R and Python), on features
# standardised as radiogenomics does (centred, SD with divisor n), standardize = FALSE.
# Run from the repository root:  Rscript tests/reference/make_glmnet.R
# (R 4.2.2, Debian r-cran-glmnet). Writes glmnet_<family>.csv and glmnet_foldid.csv.
suppressPackageStartupMessages({library(glmnet); library(survival)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))

std <- function(X) {
  X <- as.matrix(X)
  sd_n <- apply(X, 2, function(v) sqrt(mean((v - mean(v))^2)))
  sweep(sweep(X, 2, colMeans(X)), 2, ifelse(sd_n > 0, sd_n, 1), "/")
}
folds <- function(n, seed) { set.seed(seed); sample(rep(1:5, length.out = n)) }

bodyfat <- read.csv(file.path(here, "bodyfat.csv"))
asah <- read.csv(file.path(here, "asah.csv"))
lung <- read.csv(file.path(here, "lung.csv"))
cases <- list(
  gaussian = list(X = bodyfat[, setdiff(names(bodyfat), "DEXfat")], y = bodyfat$DEXfat),
  binomial = list(X = asah[, c("age", "female", "wfns", "s100b", "ndka")], y = asah$outcome),
  cox = list(X = lung[, c("age", "sex", "ph.ecog")], y = lung$status, time = lung$time)
)
ids <- list()
for (family in names(cases)) {
  cs <- cases[[family]]
  Z <- std(cs$X)
  foldid <- folds(nrow(Z), 42)
  ids[[family]] <- data.frame(family = family, row = seq_along(foldid), foldid = foldid)
  for (alpha in c(1, 0.5)) {
    resp <- if (family == "cox") cbind(time = cs$time, status = cs$y) else cs$y
    cv <- cv.glmnet(Z, resp, family = family, alpha = alpha, foldid = foldid,
                    standardize = FALSE)
    cf <- as.numeric(coef(cv, s = "lambda.min"))
    if (family != "cox") cf <- cf[-1]
    write.csv(data.frame(feature = colnames(Z), coef = cf, lambda_min = cv$lambda.min,
                         alpha = alpha),
              file.path(here, sprintf("glmnet_%s_alpha%s.csv", family, alpha)),
              row.names = FALSE)
  }
}
write.csv(do.call(rbind, ids), file.path(here, "glmnet_foldid.csv"), row.names = FALSE)
cat("glmnet references written to", here, "\n")
