from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "tuangou.core"
    verbose_name = "基础"

    def ready(self):
        from django_q.signals import post_execute_in_worker, post_spawn, pre_enqueue, pre_execute

        from . import jobs

        # The recurring jobs exist once the tables do (a production worker needs no `serve`), and
        # again whenever a worker process starts (a deploy that changed JOBS).
        post_migrate.connect(jobs.schedules_after_migrate, sender=self)
        post_spawn.connect(jobs.schedules_on_worker_start, dispatch_uid="tuangou.schedules")
        # The request id that queued a job is the job's, in its log lines and its errors.
        pre_enqueue.connect(jobs.request_id_into_task, dispatch_uid="tuangou.request_id.enqueue")
        pre_execute.connect(jobs.request_id_from_task, dispatch_uid="tuangou.request_id.execute")
        post_execute_in_worker.connect(jobs.request_id_clear, dispatch_uid="tuangou.request_id.clear")
