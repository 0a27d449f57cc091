# The soak's random fault spec per run (shared by both modes): 60% none, 30% intermittent 503s + 429s + a reset
# now and then (the retries absorb most), 10% a hard outage (503 on most requests: the run fails, the next repairs).
{
    param([Random] $Rng)
    $roll = $Rng.Next(100)
    if ($roll -lt 60) { return '{}' }
    if ($roll -lt 90) {
        return '{"seed":' + $Rng.Next(1000000) + ',"rules":[{"type":"503","probability":0.08},{"type":"429","probability":0.04,"retryAfter":1},{"type":"reset","probability":0.02}]}'
    }
    '{"seed":' + $Rng.Next(1000000) + ',"rules":[{"type":"503","probability":0.9}]}'
}
