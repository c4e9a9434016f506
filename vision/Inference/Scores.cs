namespace DenseNetGen.Inference;

/// <summary>Softmax and top-k over rows of logits.</summary>
public static class Scores
{
    /// <summary>Softmax of one row, computed in double for stable sums.</summary>
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        var exp = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += exp[i] = Math.Exp(logits[i] - max);
        var result = new float[logits.Length];
        for (int i = 0; i < result.Length; i++) result[i] = (float)(exp[i] / sum);
        return result;
    }

    /// <summary>
    /// Indices of the k largest values, largest first; ties go to the lower index, as torch.topk
    /// does on CPU for the values it returns.
    /// </summary>
    public static int[] TopK(ReadOnlySpan<float> values, int k)
    {
        k = Math.Min(k, values.Length);
        var best = new int[k];
        int filled = 0;
        for (int i = 0; i < values.Length; i++)
        {
            int pos = filled;
            while (pos > 0 && values[best[pos - 1]] < values[i]) pos--;
            if (pos >= k) continue;
            int last = Math.Min(filled, k - 1);
            for (int j = last; j > pos; j--) best[j] = best[j - 1];
            best[pos] = i;
            if (filled < k) filled++;
        }
        return best;
    }
}
