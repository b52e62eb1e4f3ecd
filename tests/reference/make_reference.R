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

# ---------------------------------------------------------------- stratified / trend log-rank
lung3 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog", "inst")])
lung3$status <- lung3$status - 1L
write.csv(lung3, file.path(here, "lung_inst.csv"), row.names = FALSE)
sds <- survdiff(Surv(time, status) ~ ph.ecog + strata(sex), data = lung3)
sde <- survdiff(Surv(time, status) ~ ph.ecog, data = lung3)
w <- sort(unique(lung3$ph.ecog))
oe <- sde$obs - sde$exp
trend <- as.numeric((sum(w * oe))^2 / (t(w) %*% sde$var %*% w))
write.csv(data.frame(test = c("stratified_sex", "trend"), chisq = c(sds$chisq, trend),
                     df = c(length(w) - 1, 1)),
          file.path(here, "logrank_extra_lung.csv"), row.names = FALSE)

# ---------------------------------------------------------------- PH test (cox.zph, survival 3.x)
fit <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung2)
zph <- cox.zph(fit, transform = "km")
write.csv(data.frame(term = rownames(zph$table), chisq = zph$table[, "chisq"],
                     df = zph$table[, "df"], pvalue = zph$table[, "p"]),
          file.path(here, "coxzph_lung.csv"), row.names = FALSE)

# ---------------------------------------------------------------- maxstat cut-off
suppressPackageStartupMessages(library(maxstat))
ms <- maxstat.test(Surv(time, status) ~ age, data = lung2, smethod = "LogRank",
                   pmethod = "Lau94", minprop = 0.1, maxprop = 0.9)
write.csv(data.frame(variable = "age", cutpoint = unname(ms$estimate),
                     statistic = unname(ms$statistic), pvalue = ms$p.value),
          file.path(here, "maxstat_lung.csv"), row.names = FALSE)

# ---------------------------------------------------------------- pROC on aSAH
suppressPackageStartupMessages(library(pROC))
data(aSAH)
asah <- data.frame(outcome = as.integer(aSAH$outcome == "Poor"), age = aSAH$age,
                   female = as.integer(aSAH$gender == "Female"),
                   wfns = as.integer(as.character(aSAH$wfns)), s100b = aSAH$s100b,
                   ndka = aSAH$ndka)
write.csv(asah, file.path(here, "asah.csv"), row.names = FALSE)
rocs <- lapply(c("s100b", "wfns", "ndka"), function(m)
  roc(asah$outcome, asah[[m]], levels = c(0, 1), direction = "<", quiet = TRUE))
names(rocs) <- c("s100b", "wfns", "ndka")
auc_rows <- do.call(rbind, lapply(names(rocs), function(m) {
  r <- rocs[[m]]; ci <- ci.auc(r, method = "delong", conf.level = 0.95)
  best <- coords(r, "best", best.method = "youden",
                 ret = c("threshold", "sensitivity", "specificity", "accuracy", "ppv", "npv",
                         "tp", "tn", "fp", "fn"), transpose = FALSE)
  data.frame(marker = m, auc = as.numeric(auc(r)), ci_low = ci[1], ci_high = ci[3],
             var = var(r), best)
}))
write.csv(auc_rows, file.path(here, "proc_auc_asah.csv"), row.names = FALSE)
tests <- do.call(rbind, lapply(list(c("wfns", "s100b"), c("ndka", "s100b")), function(p) {
  t <- roc.test(rocs[[p[1]]], rocs[[p[2]]], method = "delong")
  data.frame(a = p[1], b = p[2], z = unname(t$statistic), pvalue = t$p.value)
}))
ut <- roc.test(rocs[["wfns"]], rocs[["s100b"]], method = "delong", paired = FALSE)
tests <- rbind(tests, data.frame(a = "wfns", b = "s100b_unpaired", z = unname(ut$statistic),
                                 pvalue = ut$p.value))
write.csv(tests, file.path(here, "proc_test_asah.csv"), row.names = FALSE)
r <- rocs[["s100b"]]
write.csv(data.frame(threshold = r$thresholds, sensitivity = r$sensitivities,
                     specificity = r$specificities),
          file.path(here, "proc_curve_s100b.csv"), row.names = FALSE)
cp <- binom.test(auc_rows$tp[1], auc_rows$tp[1] + auc_rows$fn[1])$conf.int
cs <- binom.test(auc_rows$tn[1], auc_rows$tn[1] + auc_rows$fp[1])$conf.int
write.csv(data.frame(metric = c("sensitivity", "specificity"), low = c(cp[1], cs[1]),
                     high = c(cp[2], cs[2])),
          file.path(here, "binom_ci_s100b.csv"), row.names = FALSE)

# ---------------------------------------------------------------- rms nomogram + validate
suppressPackageStartupMessages(library(rms))
dd <- datadist(asah[, c("age", "s100b", "female")]); options(datadist = "dd")
flrm <- lrm(outcome ~ age + s100b + female, data = asah, x = TRUE, y = TRUE)
nom <- nomogram(flrm, fun = plogis, funlabel = "Risk")
pts <- do.call(rbind, lapply(c("age", "s100b", "female"), function(v)
  data.frame(variable = v, value = nom[[v]][[v]], points = unname(nom[[v]]$points))))
write.csv(pts, file.path(here, "rms_nomogram_points.csv"), row.names = FALSE)
write.csv(data.frame(term = names(coef(flrm)), coef = unname(coef(flrm))),
          file.path(here, "rms_lrm_coef.csv"), row.names = FALSE)
set.seed(20261123)
val <- validate(flrm, B = 100)
write.csv(data.frame(index = rownames(val), unclass(val)[, c("index.orig", "optimism",
                                                              "index.corrected")]),
          file.path(here, "rms_validate_lrm.csv"), row.names = FALSE)
cat("stats reference CSVs written\n")

# ---------------------------------------------------------------- calibration (rms::val.prob)
g <- glm(outcome ~ s100b + age, data = asah, family = binomial)
p <- fitted(g)
p_mis <- plogis(0.4 + 0.7 * qlogis(p))  # a deliberately miscalibrated version
write.csv(data.frame(p = p, p_mis = p_mis, y = asah$outcome),
          file.path(here, "calib_asah_pred.csv"), row.names = FALSE)
vp <- val.prob(p_mis, asah$outcome, pl = FALSE)
write.csv(data.frame(stat = names(vp), value = unname(vp)),
          file.path(here, "rms_valprob_asah.csv"), row.names = FALSE)
# Hosmer-Lemeshow, deciles of predicted risk (the ResourceSelection::hoslem.test grouping)
grp <- cut(p, breaks = quantile(p, probs = seq(0, 1, 1 / 10)), include.lowest = TRUE)
obs <- xtabs(cbind(1 - asah$outcome, asah$outcome) ~ grp)
expct <- xtabs(cbind(1 - p, p) ~ grp)
hl <- sum((obs - expct)^2 / expct)
write.csv(data.frame(statistic = hl, df = 8, pvalue = 1 - pchisq(hl, 8)),
          file.path(here, "hosmer_lemeshow_asah.csv"), row.names = FALSE)
# decision curve: net benefit = TP/n - FP/n * pt / (1 - pt)
pts <- seq(0.05, 0.6, by = 0.05)
nb <- sapply(pts, function(pt) {
  tp <- sum(p >= pt & asah$outcome == 1); fp <- sum(p >= pt & asah$outcome == 0)
  tp / nrow(asah) - fp / nrow(asah) * pt / (1 - pt)
})
prev <- mean(asah$outcome)
write.csv(data.frame(threshold = pts, net_benefit = nb,
                     treat_all = prev - (1 - prev) * pts / (1 - pts)),
          file.path(here, "dca_asah.csv"), row.names = FALSE)
cat("calibration reference CSVs written\n")

# ---------------------------------------------------------------- bodyfat (TH.data) for GlmBoost
data("bodyfat", package = "TH.data")
write.csv(bodyfat, file.path(here, "bodyfat.csv"), row.names = FALSE)
cat("bodyfat written\n")

# ---------------------------------------------------------------- DE: DESeq2 and limma on TCGA HNSC
# Input rule (shared with the Python tests through the CSVs written here): RSEM normalised
# counts rounded to integers, the 63 primary tumours with an HPV status, genes with a unique
# symbol and mean count >= 10.
suppressPackageStartupMessages({library(DESeq2); library(limma)})
shared <- file.path(dirname(dirname(dirname(here))), "shared", "data", "expression", "tcga_hnsc")
if (!dir.exists(shared)) shared <- file.path(dirname(dirname(here)), "..", "shared", "data",
                                            "expression", "tcga_hnsc")
cnt <- read.delim(gzfile(file.path(shared, "tcga_hnsc_rsem_normalized_counts.tsv.gz")),
                  row.names = 1, check.names = FALSE)
hpv <- read.csv(file.path(shared, "tcga_hnsc_hpv_status_site.csv"), check.names = FALSE)
colnames(cnt) <- substr(colnames(cnt), 1, 16)
keep <- intersect(colnames(cnt), hpv$Barcode)
cnt <- round(as.matrix(cnt[, keep]))
sym <- sub("\\|.*$", "", rownames(cnt))
ok <- sym != "?" & !duplicated(sym) & !(sym %in% sym[duplicated(sym)])
cnt <- cnt[ok, ]; rownames(cnt) <- sym[ok]
cnt <- cnt[rowMeans(cnt) >= 10, ]
coldata <- data.frame(sample = keep,
                      hpv = ifelse(hpv$New.HPV.Status[match(keep, hpv$Barcode)] == "HPV+",
                                   "pos", "neg"))
coldata$hpv <- factor(coldata$hpv, levels = c("neg", "pos"))
storage.mode(cnt) <- "integer"
write.csv(data.frame(gene = rownames(cnt), cnt, check.names = FALSE),
          file.path(here, "de_counts_hnsc.csv"), row.names = FALSE)
write.csv(coldata, file.path(here, "de_coldata_hnsc.csv"), row.names = FALSE)
dds <- DESeqDataSetFromMatrix(cnt, coldata, design = ~ hpv)
dds <- DESeq(dds, quiet = TRUE)
res <- results(dds, contrast = c("hpv", "pos", "neg"))
write.csv(data.frame(gene = rownames(res), base_mean = res$baseMean, log2fc = res$log2FoldChange,
                     lfc_se = res$lfcSE, stat = res$stat, pvalue = res$pvalue, padj = res$padj),
          file.path(here, "deseq2_hnsc.csv"), row.names = FALSE)
disp <- mcols(dds)
write.csv(data.frame(gene = rownames(dds), gene_est = disp$dispGeneEst, fit = disp$dispFit,
                     map = disp$dispMAP, dispersion = disp$dispersion),
          file.path(here, "deseq2_dispersions_hnsc.csv"), row.names = FALSE)
design <- model.matrix(~ hpv, coldata)
v <- voom(cnt, design)
tt <- topTable(eBayes(lmFit(v, design)), coef = 2, number = Inf, sort.by = "none")
write.csv(data.frame(gene = rownames(tt), log2fc = tt$logFC, stat = tt$t, pvalue = tt$P.Value,
                     padj = tt$adj.P.Val), file.path(here, "limma_voom_hnsc.csv"),
          row.names = FALSE)
cat("DE reference CSVs written:", nrow(cnt), "genes x", ncol(cnt), "samples\n")
sf <- sizeFactors(estimateSizeFactors(DESeqDataSetFromMatrix(cnt, coldata, design = ~ 1)))
write.csv(data.frame(sample = names(sf), size_factor = unname(sf)),
          file.path(here, "deseq2_size_factors_hnsc.csv"), row.names = FALSE)
vs <- assay(varianceStabilizingTransformation(DESeqDataSetFromMatrix(cnt, coldata, design = ~ 1),
                                              blind = TRUE))
write.csv(data.frame(gene = rownames(vs)[1:200], vs[1:200, ], check.names = FALSE),
          file.path(here, "deseq2_vst_hnsc.csv"), row.names = FALSE)
cat("size factors and VST written\n")

# ---------------------------------------------------------------- Cox partial log-likelihood at fixed beta
beta <- c(0.01, -0.5, 0.4)
pl <- sapply(c("breslow", "efron"), function(ties)
  coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung2, init = beta, ties = ties,
        control = coxph.control(iter.max = 0))$loglik[1])
write.csv(data.frame(ties = names(pl), loglik = unname(pl), b_age = beta[1], b_sex = beta[2],
                     b_ecog = beta[3]), file.path(here, "cox_loglik_lung.csv"), row.names = FALSE)
cat("Cox log-likelihood reference written\n")
