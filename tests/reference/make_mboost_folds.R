# Fold matrices of mboost's ?cvrisk example on TH.data's bodyfat, drawn with base R only
# (mboost is not installable here), so that the cvrisk output published in mboost's
# tests/Examples/mboost-Ex.Rout.save (R 4.0.3, mboost 2.9) can be checked against ours.
#   Rscript tests/reference/make_mboost_folds.R
# The example runs after R CMD check's cleanEx(), i.e. set.seed(1); glmboost and AIC draw
# no random numbers, so cv(type = "kfold") is the first draw. cv()'s k-fold layout: fold b
# leaves out the b-th block of floor(n/k) rows (the last fold the rest), rows permuted by
# one sample(1:n) call; the bootstrap folds are rmultinom(25, n, rep(1, n)/n).
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
data("bodyfat", package = "TH.data")
n <- nrow(bodyfat)
k <- 10
RNGkind("default", "default", "default")
set.seed(1)
fl <- floor(n / k)
left_out <- pmin((seq_len(n) - 1) %/% fl, k - 1)
kfold <- outer(left_out, 0:(k - 1), "!=") * 1
kfold <- kfold[sample(1:n), , drop = FALSE]
set.seed(290875)
boot <- rmultinom(25, n, rep(1, n) / n)
write.csv(kfold, file.path(here, "mboost_bodyfat_kfold10.csv"), row.names = FALSE)
write.csv(boot, file.path(here, "mboost_bodyfat_bootstrap25.csv"), row.names = FALSE)
cat("mboost fold matrices written\n")
