"""A Python job whose work happens in multiprocessing workers."""
import json
import multiprocessing as mp
import resource
import sys
import time


def burn(seconds):
    end = time.process_time() + seconds
    x = 0
    while time.process_time() < end:
        x += 1
    return x


if __name__ == "__main__":
    workers, seconds = int(sys.argv[1]), float(sys.argv[2])
    with mp.get_context("fork").Pool(workers) as pool:
        pool.map(burn, [seconds] * workers)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"children_cpu_seconds": ru.ru_utime + ru.ru_stime}))
