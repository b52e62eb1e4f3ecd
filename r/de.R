# Differential expression through R: DESeq2 and limma (voom or on log data).
# test = "LRT" compares design with reduced (DESeq's likelihood-ratio test); log2fc and lfc_se
# stay those of the contrast in the full model, stat/pvalue/padj are the LRT's.
rg_deseq2 <- function(counts, coldata, design, contrast, test = "Wald", reduced = NULL) {
  suppressPackageStartupMessages(library(DESeq2))
  for (v in names(coldata)) if (is.character(coldata[[v]])) coldata[[v]] <- factor(coldata[[v]])
  if (length(contrast) == 3) {
    coldata[[contrast[1]]] <- relevel(factor(coldata[[contrast[1]]]), ref = contrast[3])
  }
  storage.mode(counts) <- "integer"
  dds <- DESeqDataSetFromMatrix(counts, coldata, design = as.formula(design))
  dds <- if (test == "LRT") DESeq(dds, test = "LRT", reduced = as.formula(reduced),
                                  quiet = TRUE) else DESeq(dds, quiet = TRUE)
  res <- if (length(contrast) == 3) results(dds, contrast = contrast) else
    results(dds, name = contrast[1])
  data.frame(gene = rownames(res), base_mean = res$baseMean, log2fc = res$log2FoldChange,
             lfc_se = res$lfcSE, stat = res$stat, pvalue = res$pvalue, padj = res$padj,
             stringsAsFactors = FALSE)
}

rg_limma <- function(expr, coldata, design, contrast, voom) {
  suppressPackageStartupMessages(library(limma))
  for (v in names(coldata)) if (is.character(coldata[[v]])) coldata[[v]] <- factor(coldata[[v]])
  if (length(contrast) == 3) {
    coldata[[contrast[1]]] <- relevel(factor(coldata[[contrast[1]]]), ref = contrast[3])
  }
  X <- model.matrix(as.formula(design), coldata)
  coef <- if (length(contrast) == 3) paste0(contrast[1], contrast[2]) else contrast[1]
  y <- if (voom) voom(expr, X) else expr
  tt <- topTable(eBayes(lmFit(y, X)), coef = coef, number = Inf, sort.by = "none")
  data.frame(gene = rownames(tt), base_mean = tt$AveExpr, log2fc = tt$logFC, stat = tt$t,
             pvalue = tt$P.Value, padj = tt$adj.P.Val, stringsAsFactors = FALSE)
}
